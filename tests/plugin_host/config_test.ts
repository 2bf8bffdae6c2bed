/** Tests for plugin configs: YAML or JSON, checked against the manifest's schema before any plugin runs. */

import assert from "node:assert/strict";
import {
  type ConfigSchema,
  isPluginError,
  parseConfig,
  validateConfig,
} from "../../src/plugin_host/mod.ts";
import { permissionFlags } from "../../src/plugin_host/permissions.ts";

const schema: ConfigSchema = {
  patterns: { type: "glob[]", required: true, description: "what to gather" },
  source: { type: "glob", required: false },
  name: { type: "string", required: false, default: "$0" },
  mode: { type: "string", required: false, choices: ["fast", "exact"] },
  ratio: { type: "number", required: false },
  count: { type: "integer", required: false, default: 3 },
  strict: { type: "boolean", required: false },
  tags: { type: "string[]", required: false },
};

const bytes = (s: string) => new TextEncoder().encode(s);

function check(e: unknown, pattern: RegExp) {
  assert.ok(isPluginError(e, "InvalidConfig"), `${e}`);
  assert.equal(e.plugin, "demo");
  assert.match(e.message, /^config for plugin demo/);
  assert.match(e.message, pattern);
  return true;
}

function invalid(thunk: () => unknown, pattern: RegExp) {
  assert.throws(thunk, (e) => check(e, pattern));
}

async function unparsable(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (e) => check(e, pattern));
}

Deno.test("config: YAML and JSON configs parse to the same checked values, with defaults", async () => {
  const yaml = await parseConfig(
    schema,
    bytes(
      "patterns:\n  - /in/*.csv\n  - /more/**/*.csv\nmode: exact\nratio: 0.5\nstrict: true\ntags: [a, b]\n",
    ),
    "demo",
  );
  const json = await parseConfig(
    schema,
    bytes(
      '{"patterns": ["/in/*.csv", "/more/**/*.csv"], "mode": "exact", "ratio": 0.5, "strict": true, "tags": ["a", "b"]}',
    ),
    "demo",
  );
  const expected = {
    patterns: ["/in/*.csv", "/more/**/*.csv"],
    name: "$0",
    mode: "exact",
    ratio: 0.5,
    count: 3,
    strict: true,
    tags: ["a", "b"],
  };
  assert.deepEqual(yaml, expected);
  assert.deepEqual(json, expected);
  assert.deepEqual(
    await parseConfig({ a: { type: "string", required: false } }, bytes(""), "demo"),
    {},
  );
  assert.deepEqual(validateConfig(schema, { patterns: ["/x"], name: null }, "demo"), {
    patterns: ["/x"],
    name: "$0",
    count: 3,
  });
});

Deno.test("config: unknown, missing and mistyped fields are named, with what to do", () => {
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], patern: "/b" }, "demo"),
    /unknown field "patern"; its fields are patterns, source, name/,
  );
  invalid(() => validateConfig({}, { x: 1 }, "demo"), /unknown field "x"; it takes no fields/);
  invalid(
    () => validateConfig(schema, {}, "demo"),
    /field "patterns" is required \(glob\[\]: what to gather\)/,
  );
  invalid(
    () => validateConfig(schema, { patterns: "/a/*" }, "demo"),
    /field "patterns" must be a non-empty list of glob patterns, not string "\/a\/\*"/,
  );
  invalid(() => validateConfig(schema, { patterns: [] }, "demo"), /non-empty list/);
  invalid(
    () => validateConfig(schema, { patterns: ["/a/["] }, "demo"),
    /field "patterns" holds a bad glob pattern "\/a\/\["/,
  );
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], source: 3 }, "demo"),
    /field "source" must be a glob pattern, not number 3/,
  );
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], mode: "slow" }, "demo"),
    /field "mode" must be one of fast, exact, not "slow"/,
  );
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], ratio: "1" }, "demo"),
    /field "ratio" must be a number, not string "1"/,
  );
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], count: 1.5 }, "demo"),
    /field "count" must be an integer/,
  );
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], strict: "yes" }, "demo"),
    /field "strict" must be true or false/,
  );
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], tags: [1] }, "demo"),
    /field "tags" must be a list of strings, not a list/,
  );
  invalid(
    () => validateConfig(schema, { patterns: ["/a"], name: { x: 1 } }, "demo"),
    /must be a string, not a mapping/,
  );
  invalid(() => validateConfig(schema, ["/a"], "demo"), /expected a mapping of fields/);
});

Deno.test("config: text that is not YAML, JSON or UTF-8 is InvalidConfig", async () => {
  const yamlError = /is not valid YAML or JSON/;
  await unparsable(parseConfig(schema, bytes("patterns: [unclosed"), "demo"), yamlError);
  await unparsable(parseConfig(schema, bytes("a: 1\na: 2\n"), "demo"), yamlError);
  await unparsable(parseConfig(schema, new Uint8Array([0xff]), "demo"), yamlError);
  await unparsable(parseConfig(schema, bytes("- /a/*"), "demo"), /expected a mapping/);
});

Deno.test("permissions: sandboxes deny everything but the granted hosts", () => {
  const denied = [
    "--deny-read",
    "--deny-write",
    "--deny-env",
    "--deny-sys",
    "--deny-run",
    "--deny-ffi",
    "--deny-import",
  ];
  assert.deepEqual(permissionFlags({ net: [] }), [...denied, "--deny-net"]);
  assert.deepEqual(permissionFlags({ net: ["127.0.0.1:8080", "example.com"] }), [
    ...denied,
    "--allow-net=127.0.0.1:8080,example.com",
  ]);
});

Deno.test("config: a mapping[] field checks each item against its own fields, naming the item", () => {
  const aggregations: ConfigSchema = {
    aggregations: {
      type: "mapping[]",
      required: true,
      fields: {
        type: { type: "string", required: true, choices: ["avg", "max"] },
        columns: { type: "string[]", required: true },
        label: { type: "string", required: false, default: "x" },
      },
    },
  };
  assert.deepEqual(
    validateConfig(aggregations, { aggregations: [{ type: "avg", columns: ["*"] }] }, "demo"),
    { aggregations: [{ type: "avg", columns: ["*"], label: "x" }] },
  );
  const given = (items: unknown) => () =>
    validateConfig(aggregations, { aggregations: items }, "demo");
  invalid(
    given([{ type: "avg", columns: ["*"] }, { type: "median", columns: ["a"] }]),
    /field "aggregations" item 1: field "type" must be one of avg, max, not "median"$/,
  );
  invalid(given([{ type: "avg" }]), /item 0: field "columns" is required/);
  invalid(given([{ type: "avg", columns: [], extra: 1 }]), /item 0: unknown field "extra"/);
  invalid(given(["avg"]), /item 0: expected a mapping of fields/);
  invalid(given([]), /field "aggregations" must be a non-empty list of mappings, not a list/);
  invalid(given({ type: "avg" }), /must be a non-empty list of mappings, not a mapping/);
});
