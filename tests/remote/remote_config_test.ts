/** Remotes as a user sets them: URLs parsed, kept in remotes.json without credentials, credentials found in the environment or a profile. */
import assert from "node:assert/strict";
import { findCredentials, isRemoteError, parseRemoteUrl } from "../../src/remote/mod.ts";
import { pondInProcess } from "../cli/harness.ts";
import { pondOk } from "./pond_fixture.ts";
import { withTempDir } from "../reliability/fixtures.ts";

Deno.test("remote URLs: s3 bucket and prefix, file directories; anything else is refused", () => {
  assert.deepEqual(parseRemoteUrl("s3://my-bucket"), {
    kind: "s3",
    bucket: "my-bucket",
    prefix: "",
  });
  assert.deepEqual(parseRemoteUrl("s3://my-bucket/a/b/"), {
    kind: "s3",
    bucket: "my-bucket",
    prefix: "a/b",
  });
  assert.deepEqual(parseRemoteUrl("file:///media/usb%20disk/lake"), {
    kind: "file",
    dir: "/media/usb disk/lake",
  });
  for (const bad of ["http://x/y", "s3://", "s3://UPPER/x", "file://relative/dir", "lake"]) {
    assert.throws(() => parseRemoteUrl(bad), (e) => isRemoteError(e, "BadRemoteUrl"), bad);
  }
});

Deno.test("credentials: a named profile from the shared file, else the environment, else the default profile", async () => {
  await withTempDir(async (dir) => {
    const file = `${dir}/credentials`;
    await Deno.writeTextFile(
      file,
      "# keys\n[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n\n" +
        "[backup]\naws_access_key_id=BAK\naws_secret_access_key=baksecret\naws_session_token = tok\n",
    );
    const base = { AWS_SHARED_CREDENTIALS_FILE: file };
    const env = { ...base, AWS_ACCESS_KEY_ID: "ENV", AWS_SECRET_ACCESS_KEY: "envsecret" };
    assert.equal((await findCredentials(env)).accessKeyId, "ENV");
    const named = await findCredentials(env, "backup");
    assert.deepEqual([named.accessKeyId, named.sessionToken], ["BAK", "tok"]);
    assert.equal((await findCredentials({ ...base, AWS_PROFILE: "backup" })).accessKeyId, "BAK");
    assert.equal((await findCredentials(base)).accessKeyId, "DEF");
    await assert.rejects(findCredentials(base, "nope"), (e) => isRemoteError(e, "NoCredentials"));
    await assert.rejects(
      findCredentials({ AWS_SHARED_CREDENTIALS_FILE: `${dir}/none` }),
      (e) => isRemoteError(e, "NoCredentials"),
    );
  });
});

Deno.test("pond remote add/list/remove keep names and URLs in remotes.json, never credentials", async () => {
  await withTempDir(async (dir) => {
    const pond = `${dir}/pond`;
    await pondOk(["init", pond]);
    const env = { AWS_ACCESS_KEY_ID: "SECRETKEYID", AWS_SECRET_ACCESS_KEY: "SECRETVALUE" };
    await pondOk(
      [
        "--pond",
        pond,
        "remote",
        "add",
        "b",
        "s3://bkt/lake",
        "--endpoint",
        "http://127.0.0.1:1",
        "--profile",
        "p",
      ],
      env,
    );
    await pondOk(["--pond", pond, "remote", "add", "usb", `file://${dir}/usb`], env);
    const taken = await pondInProcess(["--pond", pond, "remote", "add", "b", "s3://other/x"]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /remote 'b' is already s3:\/\/bkt\/lake/);
    const bad = await pondInProcess(["--pond", pond, "remote", "add", "x", "ftp://host/x"]);
    assert.equal(bad.code, 1);
    const listed = JSON.parse((await pondOk(["--pond", pond, "remote", "list", "--json"])).stdout);
    assert.deepEqual(listed, {
      b: { url: "s3://bkt/lake", endpoint: "http://127.0.0.1:1", profile: "p" },
      usb: { url: `file://${dir}/usb` },
    });
    const text = await Deno.readTextFile(`${pond}/remotes.json`);
    assert.ok(!text.includes("SECRET"), text);
    await pondOk(["--pond", pond, "remote", "remove", "b"]);
    const unknown = await pondInProcess(["--pond", pond, "push", "b"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no remote 'b' in .*: it has usb/);
    const check = await pondInProcess(["--pond", pond, "check"]);
    assert.equal(check.code, 0, check.stdout);
  });
});

Deno.test("a garbled remotes.json is one line naming it, exit 1", async () => {
  await withTempDir(async (dir) => {
    const pond = `${dir}/pond`;
    await pondOk(["init", pond]);
    await Deno.writeTextFile(`${pond}/remotes.json`, "{not json");
    const r = await pondInProcess(["--pond", pond, "remote", "list"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^pond: .*remotes\.json is not a list of remotes: fix it by hand/);
  });
});
