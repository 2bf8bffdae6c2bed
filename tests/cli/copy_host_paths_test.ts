/** pond copy at the host's edge, in real processes: host paths typed as pond paths, the host's own failures, special files and names, host:-. */
import assert from "node:assert/strict";
import { isPondError } from "../../src/errors.ts";
import { copy } from "../../src/pond/copy.ts";
import { endpoint } from "../../src/pond/endpoint.ts";
import { hostError } from "../../src/pond/host_error.ts";
import { Pond } from "../../src/pond/pond.ts";
import { type CliResult, oplogListing, pondInProcess, pondProcess } from "./harness.ts";
import { command } from "../subprocess.ts";

interface Scene {
  /** The host directory commands run in. */
  host: string;
  /** The pond's directory, inside `host`. */
  pond: string;
  /** Runs `pond ARGS` as a process in `host` on the pond. */
  run(args: string[], stdin?: Uint8Array): Promise<CliResult>;
}

async function withScene(fn: (s: Scene) => Promise<void>): Promise<void> {
  const host = await Deno.makeTempDir({ prefix: "pond-host-paths-" });
  try {
    const pond = `${host}/pond`;
    assert.equal((await pondInProcess(["init", pond])).code, 0);
    await fn({
      host,
      pond,
      run: (args, stdin) => pondProcess(args, { POND: pond }, undefined, { cwd: host, stdin }),
    });
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

/** Asserts `r` failed with `code` and exactly `message` (one line), and the pond is as `before`. */
async function assertRefused(
  s: Scene,
  r: CliResult,
  code: number,
  message: string | RegExp,
  before: string[],
) {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  if (typeof message === "string") assert.equal(r.stderr, message);
  else assert.match(r.stderr, message);
  assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
  assert.deepEqual(await oplogListing(s.pond), before, "the pond is unchanged");
}

async function ok(s: Scene, args: string[], stdin?: Uint8Array): Promise<CliResult> {
  const r = await s.run(args, stdin);
  assert.equal(r.code, 0, `pond ${args.join(" ")}: ${r.stderr}`);
  return r;
}

Deno.test("a host file typed without host: is named with the form to type; ./ and ../ pond paths are refused", async () => {
  await withScene(async (s) => {
    await Deno.writeTextFile(`${s.host}/file1.txt`, "one\n");
    await Deno.mkdir(`${s.host}/folder`);
    await ok(s, ["mkdir", "/uploads"]);
    const before = await oplogListing(s.pond);
    await assertRefused(
      s,
      await s.run(["copy", "file1.txt", "uploads/"]),
      1,
      "pond: cannot copy file1.txt: it is not in the pond, but is a file on this computer; " +
        "write host:file1.txt to copy it in\n",
      before,
    );
    await assertRefused(
      s,
      await s.run(["copy", "-r", "folder", "/uploads"]),
      1,
      "pond: cannot copy folder: it is not in the pond, but is a directory on this computer; " +
        "write host:folder to copy it in\n",
      before,
    );
    await assertRefused(
      s,
      await s.run(["copy", "nowhere.txt", "/uploads/"]),
      1,
      "pond: cannot copy nowhere.txt: no such file or directory\n",
      before,
    );
    await ok(s, ["copy", "host:file1.txt", "uploads/"]);
    const copied = await oplogListing(s.pond);
    await assertRefused(
      s,
      await s.run(["copy", "/uploads/file1.txt", "./out.txt"]),
      2,
      "pond copy: ./out.txt is a path on this computer: write host:./out.txt " +
        "(paths in the pond start with /)\n",
      copied,
    );
    await assertRefused(
      s,
      await s.run(["copy", "../file1.txt", "/f.txt"]),
      2,
      "pond copy: ../file1.txt is a path on this computer: write host:../file1.txt " +
        "(paths in the pond start with /)\n",
      copied,
    );
    await assertRefused(
      s,
      await s.run(["copy", "/uploads/file1.txt", "."]),
      2,
      /^pond copy: \. is a path on this computer: write host:\. /,
      copied,
    );
    await ok(s, ["copy", "/uploads/file1.txt", "host:./out.txt"]);
    assert.equal(await Deno.readTextFile(`${s.host}/out.txt`), "one\n");
  });
});

Deno.test("the host's refusals are one line naming the path: init on a file, a name too long to copy out", async () => {
  await withScene(async (s) => {
    await Deno.writeTextFile(`${s.host}/plain.txt`, "not a directory\n");
    for (const path of [`${s.host}/plain.txt`, `${s.host}/plain.txt/lake`]) {
      const r = await pondProcess(["init", path]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `pond: cannot create a pond in ${path}: not a directory\n`);
    }
    assert.equal(await Deno.readTextFile(`${s.host}/plain.txt`), "not a directory\n");

    const long = "n".repeat(300);
    const fits = "f".repeat(240);
    await Deno.writeTextFile(`${s.host}/small.txt`, "x");
    await ok(s, ["copy", "host:small.txt", `/${fits}`]);
    await Deno.mkdir(`${s.host}/out`);
    const before = await oplogListing(s.pond);
    const refused = await s.run(["copy", "host:small.txt", `/${long}`]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^pond: cannot create "\/n+…n+": it has a name of 300 bytes, over the limit of 255 bytes\n$/,
    );
    assert.deepEqual(await oplogListing(s.pond), before, "the pond refused the name, unchanged");
    await assertRefused(
      s,
      await s.run(["copy", `/${fits}`, `host:out/${long}`]),
      1,
      `pond: cannot read host:out/${long}: file name too long; give it a shorter name\n`,
      before,
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${s.host}/out`)), [], "no temp left");
    await ok(s, ["copy", `/${fits}`, "host:out/"]);
    assert.equal(await Deno.readTextFile(`${s.host}/out/${fits}`), "x", "a long name that fits");
  });
});

Deno.test("copy -r refuses a FIFO before reading it, and a host name that is not UTF-8", async () => {
  await withScene(async (s) => {
    await Deno.mkdir(`${s.host}/tree/sub`, { recursive: true });
    await Deno.writeTextFile(`${s.host}/tree/a.txt`, "a");
    await Deno.writeFile(`${s.host}/tree/big.bin`, new Uint8Array(500_000).map((_, i) => i));
    const made = await command("mkfifo", { args: [`${s.host}/tree/sub/pipe`] })
      .output();
    assert.equal(made.code, 0);
    const before = await oplogListing(s.pond);
    const whole = await oplogListing(s.pond, "");
    const special = (where: string) =>
      `pond: cannot copy ${where}: it is a FIFO, socket or device, not a regular file; ` +
      "pond copies files, directories and symlinks (host:- reads standard input)\n";
    await assertRefused(
      s,
      await s.run(["copy", "-r", "host:tree", "/tree"]),
      1,
      special("host:tree/sub/pipe"),
      before,
    );
    assert.deepEqual(await oplogListing(s.pond, ""), whole, "not even a blob was stored");
    await assertRefused(
      s,
      await s.run(["copy", "host:tree/sub/pipe", "/pipe"]),
      1,
      special("host:tree/sub/pipe"),
      before,
    );
    await Deno.remove(`${s.host}/tree/sub/pipe`);

    const bad = await command("sh", {
      args: ["-c", 'printf b > "$1/tree/sub/$(printf "bad\\377name")"', "sh", s.host],
    }).output();
    assert.equal(bad.code, 0);
    await assertRefused(
      s,
      await s.run(["copy", "-r", "host:tree", "/tree"]),
      1,
      "pond: cannot copy host:tree/sub/bad\uFFFDname: its name is not valid UTF-8, which pond " +
        "cannot store; rename it on this computer first\n",
      before,
    );
    assert.deepEqual(await oplogListing(s.pond, ""), whole, "not even a blob was stored");
  });
});

Deno.test("host:- reads standard input as a source and writes standard output as a destination", async () => {
  await withScene(async (s) => {
    const body = new TextEncoder().encode("t,v\n1,2\n");
    await ok(s, ["copy", "host:-", "/in.csv"], body);
    assert.equal((await ok(s, ["copy", "/in.csv", "host:-"])).stdout, "t,v\n1,2\n");
    assert.equal((await ok(s, ["cat", "/in.csv"])).stdout, "t,v\n1,2\n");
    await ok(s, ["mkdir", "/dir"]);
    const before = await oplogListing(s.pond);
    await assertRefused(
      s,
      await s.run(["copy", "host:-", "/dir/"], body),
      1,
      "pond: standard input (host:-) has no name to copy into /dir/; name the file, e.g. /dir/data.csv\n",
      before,
    );
    await assertRefused(
      s,
      await s.run(["copy", "-r", "/dir", "host:-"]),
      1,
      "pond: cannot copy the directory /dir to standard output (host:-): it takes one file\n",
      before,
    );
    await assertRefused(
      s,
      await s.run(["copy", "/in.csv", "host:-", "--json"]),
      2,
      "pond copy: --json and the destination host:- both write to standard output; choose one\n",
      before,
    );
    await assertRefused(
      s,
      await s.run(["copy", "--type", "series", "host:-", "/s.series"], body),
      1,
      /^pond: cannot copy standard input \(host:-\) as a series: /,
      before,
    );
  });
});

Deno.test("hostError words any OS error as one line naming the path", () => {
  const os = (code: string, message: string) => Object.assign(new Error(message), { code });
  const named = hostError(os("ENOTDIR", "Not a directory (os error 20): stat '/a/f/pond.json'"));
  assert.equal((named as Error).message, "cannot stat /a/f/pond.json: not a directory");
  const moved = hostError(
    os("ENOENT", "No such file or directory (os error 2): rename '/a' -> '/b'"),
  );
  assert.equal((moved as Error).message, "cannot rename /a -> /b: no such file or directory");
  const given = hostError(os("ENOSPC", "No space left on device (os error 28)"), "write", "/x");
  assert.equal(
    (given as Error).message,
    "cannot write /x: no space left on device; free some space and run the command again",
  );
  const other = new TypeError("not an OS error");
  assert.equal(hostError(other, "write", "/x"), other);
});

Deno.test("standard input is read once: a second read, as a transaction re-run after losing a race would make, is refused rather than stored empty", async () => {
  await withScene(async (s) => {
    const stdin = new Blob(["once\n"]).stream();
    const pond = await Pond.open(s.pond);
    const copyStdin = (to: string) =>
      pond.transact(["copy"], (root) => copy(root, [endpoint("host:-")], endpoint(to), { stdin }));
    await copyStdin("/first.txt");
    const before = await oplogListing(s.pond);
    await assert.rejects(copyStdin("/again.txt"), (e) => isPondError(e, "InputConsumed"));
    assert.deepEqual(await oplogListing(s.pond), before, "the pond is unchanged");
    assert.equal(new TextDecoder().decode(await (await pond.root()).read("/first.txt")), "once\n");
  });
});

Deno.test("an OS error no command words itself still prints as one line naming the path, not an internal error", async () => {
  await withScene(async (s) => {
    await Deno.remove(`${s.pond}/blobs`, { recursive: true }).catch(() => {});
    await Deno.writeTextFile(`${s.pond}/blobs`, "a file where the blob store's directory goes");
    await Deno.writeFile(`${s.host}/big.bin`, new Uint8Array(300_000).map((_, i) => i * 7));
    const before = await oplogListing(s.pond);
    await assertRefused(
      s,
      await s.run(["copy", "host:big.bin", "/big.bin"]),
      1,
      new RegExp(`^pond: cannot \\w+ ${s.pond}/blobs\\S*: file exists\\n$`),
      before,
    );
  });
});
