import assert from "node:assert/strict";
import { S3Store } from "../../src/remote/mod.ts";
import { storeContract } from "../delta/store_contract.ts";
import { startConditionalProxy } from "./conditional_proxy.ts";
import { moduleS3rver, type S3Server } from "./s3_server.ts";

const { server, missing } = await moduleS3rver();
const proxy = server && await startConditionalProxy(server);

/** A store on a prefix of its own in the module's s3rver bucket. */
export function s3Store(
  server: S3Server,
  prefix: string,
  partSize?: number,
  endpoint = server.endpoint,
): S3Store {
  return new S3Store({
    endpoint,
    region: "us-east-1",
    bucket: server.bucket,
    prefix,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER", source: "test" },
    partSize,
  });
}

if (!server) {
  Deno.test({ name: `S3Store contract: ignored, ${missing}`, ignore: true, fn() {} });
} else {
  // s3rver overwrites on `If-None-Match: *`, so putIfAbsent is create-once for sequential
  // callers only there; the small part size makes the large-object tests go multipart.
  storeContract("S3Store on s3rver", () => {
    const store = s3Store(server, `contract-${crypto.randomUUID()}`, 5 << 20);
    return Promise.resolve({ store, dispose: () => Promise.resolve() });
  }, { exclusiveCreate: false });

  // the same store through a proxy that honours `If-None-Match: *` as S3 does: exactly one wins
  storeContract("S3Store on a server honouring If-None-Match", () => {
    const store = s3Store(server, `exclusive-${crypto.randomUUID()}`, 5 << 20, proxy!.endpoint);
    return Promise.resolve({ store, dispose: () => Promise.resolve() });
  });

  Deno.test("S3Store: a listing longer than one page follows continuation tokens", async () => {
    const store = s3Store(server, `paged-${crypto.randomUUID()}`);
    const names = Array.from({ length: 1205 }, (_, i) => `d/${String(i).padStart(5, "0")}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((n) => store.put(n, new Uint8Array([1]))));
    }
    const before = store.requests.list;
    assert.deepEqual((await store.list("d")).map((o) => o.path), names);
    assert.equal(store.requests.list - before, 2, "1205 keys are two pages of 1000");
  });
}
