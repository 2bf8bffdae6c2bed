/** Tests for what a name and a path may be: well-formed Unicode, and bounded, on every route in. */

import assert from "node:assert/strict";
import {
  compileGlob,
  type DynamicFactory,
  GLOB_LIMITS,
  isTinyFsError,
  matchSegment,
  MAX_NAME_BYTES,
  MAX_PATH_BYTES,
} from "../../src/tinyfs/mod.ts";
import { build, newPond, rejectsWith } from "./helpers.ts";

/** A name of exactly `bytes` UTF-8 bytes, made of two-byte characters and one ASCII. */
function nameOf(bytes: number): string {
  return "é".repeat(Math.floor(bytes / 2)) + "x".repeat(bytes % 2);
}

Deno.test("names: a name of 255 UTF-8 bytes is taken, 256 is InvalidPath naming the limit", async () => {
  const { fs } = await newPond();
  await build(fs, { "/d/keep": "k", "/src": "s" });
  await fs.transact({ command: ["t"] }, async (root) => {
    const fits = nameOf(MAX_NAME_BYTES);
    const over = nameOf(MAX_NAME_BYTES + 1);
    await root.createFile(`/d/${fits}`, "F");
    await root.createDirectory(`/d/${nameOf(MAX_NAME_BYTES - 1)}`);
    for (
      const attempt of [
        () => root.createFile(`/d/${over}`, "F"),
        () => root.createDirectory(`/d/${over}`),
        () => root.createFile(`/d/${over}/f`, "F", { parents: true }),
        () => root.createSymlink(`/d/${over}`, "/src"),
        () => root.rename("/src", `/d/${over}`),
      ]
    ) {
      await assert.rejects(attempt(), (e) => {
        assert.ok(isTinyFsError(e, "InvalidPath"), String(e));
        assert.match(e.message, /a name of 256 bytes, over the limit of 255 bytes/);
        assert.ok(!e.message.includes(over), "the message shortens the name");
        return true;
      });
    }
  });
  const names = (await (await fs.root()).list("/d")).map((n) => n.name);
  assert.equal(names.length, 3);
});

Deno.test("names: an 8 MiB name is refused at once", async () => {
  const { fs } = await newPond();
  await fs.transact({ command: ["t"] }, async (root) => {
    await rejectsWith(root.createFile(`/${"n".repeat(8 << 20)}`, "x"), "InvalidPath");
  });
});

Deno.test("names: lone surrogates are InvalidPath, escaped in the message; pairs are fine", async () => {
  const { fs } = await newPond();
  await build(fs, { "/src": "s" });
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createFile("/a\uD83D\uDE00", "emoji");
    for (const bad of ["a\uD800", "a\uD801", "\uDC00b", "a\uDE00\uD83D"]) {
      for (
        const attempt of [
          () => root.createFile(`/${bad}`, "x"),
          () => root.createDirectory(`/${bad}`),
          () => root.rename("/src", `/${bad}`),
        ]
      ) {
        await assert.rejects(attempt(), (e) => {
          assert.ok(isTinyFsError(e, "InvalidPath"), String(e));
          assert.match(e.message, /not well-formed Unicode/);
          assert.ok(e.message.isWellFormed(), "the message itself is printable");
          return true;
        });
      }
    }
  });
  assert.deepEqual((await (await fs.root()).list("/")).map((n) => n.name), ["a😀", "src"]);
});

Deno.test("names: a path of 4096 UTF-8 bytes is taken, one byte more is InvalidPath", async () => {
  const { fs } = await newPond();
  const segment = "d".repeat(254);
  const base = `/${Array.from({ length: 16 }, () => segment).join("/")}`; // 4080 bytes
  const fitting = `${base}/${"f".repeat(MAX_PATH_BYTES - base.length - 1)}`;
  assert.equal(new TextEncoder().encode(fitting).length, MAX_PATH_BYTES);
  await fs.transact({ command: ["t"] }, async (root) => {
    await root.createFile(fitting, "F", { parents: true });
    await assert.rejects(
      root.createFile(`${fitting}g`, "F"),
      (e) => isTinyFsError(e, "InvalidPath") && /over the limit of 4096 bytes/.test(e.message),
    );
    await rejectsWith(root.createSymlink("/link", `/${"t".repeat(MAX_PATH_BYTES)}`), "InvalidPath");
  });
  await rejectsWith((await fs.root()).read(`/${"x".repeat(MAX_PATH_BYTES)}`), "InvalidPath");
});

Deno.test("names: a dynamic directory's names obey the same rules, one line naming the entry", async () => {
  const produced: string[][] = [];
  const echo: DynamicFactory = {
    open: (config) => ({
      entries: () => {
        const names = JSON.parse(new TextDecoder().decode(config)) as string[];
        produced.push(names);
        return Promise.resolve(names.map((name) => ({
          kind: "file" as const,
          name,
          entryType: "file:data" as const,
          read: () => Promise.resolve(new Uint8Array()),
        })));
      },
    }),
  };
  const { fs } = await newPond({ echo });
  const cases: [string, string[], RegExp | undefined][] = [
    ["/ok", ["a", nameOf(MAX_NAME_BYTES)], undefined],
    ["/long", [nameOf(MAX_NAME_BYTES + 1)], /over the limit of 255 bytes/],
    ["/lone", ["a\uD800", "a\uD801"], /not well-formed Unicode/],
    ["/shown", [`\x1b[2K\n\x9b${nameOf(MAX_NAME_BYTES)}`], /over the limit of 255 bytes/],
  ];
  await fs.transact({ command: ["t"] }, async (root) => {
    for (const [path, names] of cases) {
      await root.createDynamicDirectory(path, "echo", JSON.stringify(names));
    }
  });
  const root = await fs.root();
  for (const [path, names, refused] of cases) {
    if (!refused) {
      assert.deepEqual((await root.list(path)).map((n) => n.name).sort(), [...names].sort());
      continue;
    }
    await assert.rejects(root.list(path), (e) => {
      assert.ok(isTinyFsError(e, "InvalidPath"), String(e));
      assert.match(e.message, refused);
      // deno-lint-ignore no-control-regex
      assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(e.message) && e.message.isWellFormed(), e.message);
      return true;
    });
  }
});

Deno.test("globs: braces standing for 1024 patterns are matched, 1025 refused before matching", () => {
  const fits = `/data/${"{a,b}".repeat(10)}`; // 2^10 = 1024
  assert.equal(compileGlob(fits).segments.length, 2);
  for (const over of [`/data/${"{a,b}".repeat(10)}{x,y}`, `/data/${"{*,*}".repeat(18)}Z`]) {
    const started = performance.now();
    assert.throws(
      () => compileGlob(over),
      (e) => isTinyFsError(e, "InvalidPath") && /more than 1024 patterns/.test(e.message),
    );
    assert.ok(performance.now() - started < 1000);
  }
  assert.throws(() => compileGlob(`/a/${"{b,c}".repeat(5)}/${"{d,e}".repeat(6)}`), /1024/);
});

Deno.test("globs: 64 wildcards are matched, 65 refused; many stars match in polynomial time", () => {
  const stars = (n: number) => `/${Array.from({ length: n }, () => "*a").join("")}`;
  const glob = compileGlob(stars(GLOB_LIMITS.wildcards));
  assert.throws(
    () => compileGlob(stars(GLOB_LIMITS.wildcards + 1)),
    (e) => isTinyFsError(e, "InvalidPath") && /more than 64 wildcards/.test(e.message),
  );
  // 64 stars against 255 a's but no match: backtracking alone would try ~C(255, 63) splits.
  assert.equal(matchSegment(glob.segments[0], `${"a".repeat(254)}b`), undefined);
  const found = matchSegment(glob.segments[0], "a".repeat(200));
  assert.equal(found?.length, 64);
  assert.deepEqual(found?.slice(0, 2), ["", ""]);
  assert.equal(found?.at(-1), "a".repeat(200 - 64));
});

Deno.test("globs: the matcher keeps its captures and hidden-name rules", () => {
  const match = (pattern: string, name: string) =>
    matchSegment(compileGlob(pattern).segments[0], name);
  assert.deepEqual(match("a*{c,d}*", "a1d2c3"), ["1", "2c3"]);
  assert.deepEqual(match("{x*,*y}-*", "xay-b"), ["ay", "b"]);
  assert.deepEqual(match("{,.}*", ".h"), [".h".slice(1)]);
  assert.equal(match("*", ".hidden"), undefined);
  assert.equal(match("{*,b}", ".b"), undefined);
  assert.deepEqual(match("[!.]?{a,}", "xya"), []);
});
