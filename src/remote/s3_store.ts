/** A `Store` on an S3-compatible object store: path-style requests signed by aws4fetch, ranges, paged listings, multipart uploads. */
import { AwsClient } from "aws4fetch";
import { createHash } from "node:crypto";
import {
  checkRange,
  DeltaError,
  isTempFile,
  type ListOptions,
  type ObjectInfo,
  segments,
  type Store,
  truncatedRange,
  type Upload,
} from "../delta/mod.ts";
import type { Credentials } from "./credentials.ts";
import { RemoteError } from "./errors.ts";
import { completeBody, element, listPage } from "./s3_xml.ts";

/** Where a store's objects live: the server, the bucket, and the key prefix under it. */
export interface S3Location {
  /** The server's base URL, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`. */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Keys of the store are `prefix/path` (no leading or trailing `/`; "" for the bucket's root). */
  readonly prefix: string;
}

/** Options of an {@link S3Store}. */
export interface S3StoreOptions extends S3Location {
  readonly credentials: Credentials;
  /** Bytes of each multipart part, and the most an upload holds in memory (default 8 MiB; S3's least is 5 MiB). */
  readonly partSize?: number;
}

/** How many requests of each kind a store sent (for reports and tests). */
export interface RequestCounts {
  list: number;
  get: number;
  head: number;
  put: number;
  other: number;
}

/** The most one CopyObject publishes; larger uploads are refused (`TooLarge`). */
const COPY_LIMIT = 5 * 1024 ** 3;
/** Temporary objects (of uploads published by copy) older than this belong to a writer gone. */
const TEMP_AGE_MS = 3_600_000;
const DEFAULT_PART = 8 << 20;

/** A key segment encoded as SigV4's canonical URI wants it: everything but `A-Za-z0-9-._~`. */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A {@link Store} whose objects are keys of an S3 bucket under a prefix, addressed path-style
 * (`ENDPOINT/BUCKET/KEY`) and signed with AWS Signature V4 by aws4fetch. Listing uses
 * ListObjectsV2 with continuation tokens; ranges are `Range` requests; uploads up to one part
 * are one PUT, larger ones a multipart upload (memory stays at one part) straight to the
 * path when the caller names it, else to a temporary key published by a server-side copy
 * (up to 5 GiB: `TooLarge` beyond).
 *
 * Guarantees of `putIfAbsent`: it asks with `HEAD` first (false when the object exists) and
 * then writes with `If-None-Match: *`. On a server that honours that header (AWS S3, MinIO,
 * Cloudflare R2) exactly one of concurrent writers wins; on one that ignores it (s3rver)
 * sequential writers are still refused, but racing writers may each resolve `true`, the last
 * one's body standing. Every write is whole: readers never see part of an object.
 *
 * Server failures are {@link RemoteError}s: `BadCredentials`, `MissingBucket`, `Unreachable`,
 * `RemoteFailure`; a missing object is `MissingFile` as for every store.
 *
 * @example
 * ```ts
 * const store = new S3Store({
 *   endpoint: "http://127.0.0.1:9000", region: "us-east-1", bucket: "backups", prefix: "pond",
 *   credentials: { accessKeyId: "AK", secretAccessKey: "SK", source: "environment" },
 * });
 * const objects = await store.list("oplog/_delta_log");
 * ```
 */
export class S3Store implements Store {
  readonly location: S3Location;
  readonly partSize: number;
  /** Requests sent so far, by kind. */
  readonly requests: RequestCounts = { list: 0, get: 0, head: 0, put: 0, other: 0 };
  readonly #client: AwsClient;

  constructor(options: S3StoreOptions) {
    const { endpoint, region, bucket, prefix, credentials } = options;
    this.location = {
      endpoint: endpoint.replace(/\/+$/, ""),
      region,
      bucket,
      prefix: prefix.replace(/^\/+|\/+$/g, ""),
    };
    this.partSize = options.partSize ?? DEFAULT_PART;
    this.#client = new AwsClient({
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      service: "s3",
      region,
      retries: 3,
    });
  }

  /** `s3://bucket/prefix/path`. */
  locate(path: string): string {
    const key = this.#key(path);
    return `s3://${this.location.bucket}${key ? `/${key}` : ""}`;
  }

  async read(path: string): Promise<Uint8Array> {
    const res = await this.#send("get", path, "GET");
    return new Uint8Array(await res.arrayBuffer());
  }

  async readRange(
    path: string,
    start: number,
    end: number,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const empty = checkRange(this, path, start, end, into);
    if (empty) return await empty;
    const res = await this.#send("get", path, "GET", {
      headers: { Range: `bytes=${start}-${end - 1}` },
      ok: [200, 206, 416],
    });
    if (res.status === 416) {
      await res.body?.cancel();
      throw truncatedRange(this, path, (await this.head(path)).size, start, end);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    // a server may send more than asked (the whole object on 200; s3rver takes `bytes=0-0` as `0-`)
    const first = res.status === 206
      ? Number(/bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1] ?? start)
      : 0;
    const got = bytes.subarray(start - first, end - first);
    if (got.length < end - start) throw truncatedRange(this, path, start + got.length, start, end);
    if (!into) return got.length === bytes.length ? got : got.slice();
    into.set(got);
    return into.subarray(0, end - start);
  }

  async head(path: string): Promise<ObjectInfo> {
    const res = await this.#send("head", path, "HEAD");
    return {
      path: segments(path).join("/"),
      size: Number(res.headers.get("content-length") ?? 0),
      mtime: Date.parse(res.headers.get("last-modified") ?? "") || 0,
    };
  }

  async list(dir: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    const base = this.#key(dir);
    const prefix = base === "" ? "" : `${base}/`;
    const strip = this.location.prefix === "" ? 0 : this.location.prefix.length + 1;
    const from = options.from ? this.#key(options.from) : "";
    const query = new URLSearchParams({ "list-type": "2", prefix });
    if (!options.recursive) query.set("delimiter", "/");
    // S3 starts *after* a key; one sorting just before `from` keeps `from` itself in the listing
    if (from > prefix) {
      query.set(
        "start-after",
        from.slice(0, -1) + String.fromCharCode(from.charCodeAt(from.length - 1) - 1),
      );
    }
    const out: ObjectInfo[] = [];
    for (let token: string | undefined = undefined;;) {
      if (token) query.set("continuation-token", token);
      const res = await this.#request("list", `${this.#bucketUrl()}?${query}`, "GET", {}, dir);
      const page = listPage(await res.text());
      for (const o of page.objects) {
        if (from && o.key < from) continue;
        out.push({ path: o.key.slice(strip), size: o.size, mtime: o.mtime });
      }
      token = page.next;
      if (!token) break;
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    this.#parentOf(path);
    await this.#send("put", path, "PUT", { body: data, headers: contentHeaders(data) });
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<boolean> {
    this.#parentOf(path);
    if (await this.exists(path)) return false;
    const res = await this.#send("put", path, "PUT", {
      body: data,
      headers: { ...contentHeaders(data), "If-None-Match": "*" },
      ok: [200, 412, 409],
    });
    await res.body?.cancel();
    return res.status === 200;
  }

  upload(dir: string, path?: string): Promise<Upload> {
    segments(dir);
    if (path !== undefined) this.#parentOf(path);
    return Promise.resolve(new S3Upload(this, dir, path));
  }

  async touch(path: string): Promise<boolean> {
    if (!(await this.exists(path))) return false;
    await this.copy(path, path);
    return true;
  }

  async sweep(dir: string): Promise<void> {
    const now = Date.now();
    for (const o of await this.list(dir)) {
      if (isTempFile(o.path) && now - o.mtime > TEMP_AGE_MS) await this.delete(o.path);
    }
  }

  async delete(path: string): Promise<void> {
    const res = await this.#send("other", path, "DELETE", { ok: [200, 204, 404] });
    await res.body?.cancel();
  }

  /**
   * Copies object `from` to `to` on the server (replacing its metadata, so its time is now);
   * with `ifAbsent`, asks the server not to replace an existing `to`. False when refused so.
   */
  async copy(from: string, to: string, ifAbsent = false): Promise<boolean> {
    const source = `/${this.location.bucket}/${
      this.#key(from).split("/").map(encodeSegment).join("/")
    }`;
    const res = await this.#send("put", to, "PUT", {
      headers: {
        "x-amz-copy-source": source,
        "x-amz-metadata-directive": "REPLACE",
        ...(ifAbsent && { "If-None-Match": "*" }),
      },
      ok: [200, 412],
    });
    const text = await res.text();
    // a copy can fail after its 200 has been sent: the error is then in the body
    if (res.status === 200 && /<Error>/.test(text)) throw this.#failure(200, text, to, "PUT");
    return res.status === 200;
  }

  /** Sends one request of a multipart upload of object `path` (`query` names the step), mapping failures. */
  async multipart(
    path: string,
    method: string,
    query: string,
    init: { body?: Uint8Array | string; headers?: Record<string, string>; ok?: number[] } = {},
  ): Promise<Response> {
    return await this.#send(method === "PUT" ? "put" : "other", path, method, init, query);
  }

  /** True when `path` names an object; false for a missing one. */
  async exists(path: string): Promise<boolean> {
    const res = await this.#send("head", path, "HEAD", { ok: [200, 404] });
    await res.body?.cancel();
    return res.status === 200;
  }

  async #send(
    kind: keyof RequestCounts,
    path: string,
    method: string,
    init: { body?: Uint8Array | string; headers?: Record<string, string>; ok?: number[] } = {},
    query = "",
  ): Promise<Response> {
    const key = this.#key(path);
    const url = `${this.#bucketUrl()}/${key.split("/").map(encodeSegment).join("/")}${query}`;
    return await this.#request(kind, url, method, init, path);
  }

  async #request(
    kind: keyof RequestCounts,
    url: string,
    method: string,
    init: { body?: Uint8Array | string; headers?: Record<string, string>; ok?: number[] },
    path: string,
  ): Promise<Response> {
    this.requests[kind]++;
    let res: Response;
    try {
      res = await this.#client.fetch(url, {
        method,
        headers: init.headers,
        body: init.body as BodyInit | undefined,
      });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new RemoteError(
        "Unreachable",
        `cannot reach the S3 server at ${this.location.endpoint} (${why}): is it running, and is --endpoint right?`,
        { path, cause: e },
      );
    }
    if ((init.ok ?? [200, 204, 206]).includes(res.status)) return res;
    throw this.#failure(res.status, method === "HEAD" ? "" : await res.text(), path, method);
  }

  /** The error of a failed request: `MissingFile` for a missing key, a {@link RemoteError} otherwise. */
  #failure(status: number, body: string, path: string, method: string): Error {
    const code = element(body, "Code") ?? "";
    const message = element(body, "Message") ?? "";
    const { endpoint, bucket } = this.location;
    if (code === "NoSuchBucket") {
      return new RemoteError(
        "MissingBucket",
        `bucket '${bucket}' does not exist at ${endpoint}: create it, or check the remote's URL and --endpoint`,
        { path, status },
      );
    }
    if (status === 404 && (code === "NoSuchKey" || code === "" || method === "HEAD")) {
      return new DeltaError("MissingFile", `${this.locate(path)} does not exist`, { path });
    }
    if (
      status === 403 &&
      ["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken", ""].includes(
        code,
      )
    ) {
      return new RemoteError(
        "BadCredentials",
        `${endpoint} refused the credentials for bucket '${bucket}'${code ? ` (${code})` : ""}: ` +
          "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile",
        { path, status },
      );
    }
    return new RemoteError(
      "RemoteFailure",
      `${method} ${this.locate(path)} failed: HTTP ${status}${code ? ` ${code}` : ""}${
        message ? `: ${message}` : ""
      }`,
      { path, status },
    );
  }

  #bucketUrl(): string {
    return `${this.location.endpoint}/${encodeSegment(this.location.bucket)}`;
  }

  /** The bucket key of a store path. */
  #key(path: string): string {
    return [...(this.location.prefix ? [this.location.prefix] : []), ...segments(path)].join("/");
  }

  /** Refuses the store's root as an object path. */
  #parentOf(path: string): void {
    if (segments(path).length === 0) {
      throw new DeltaError(
        "InvalidArgument",
        `cannot write ${this.locate("")} itself as an object`,
        {
          path,
        },
      );
    }
  }
}

/** Headers of a PUT body: its MD5, so the server refuses one damaged on the way. */
function contentHeaders(data: Uint8Array): Record<string, string> {
  return { "Content-MD5": createHash("md5").update(data).digest("base64") };
}

/**
 * An {@link S3Store} upload: bytes gather in one part-sized buffer; if publishing comes first
 * they go up as one PUT, else part by part as a multipart upload, completed at the path it
 * is published at when that was given at the start, else at a temporary key then copied there.
 */
class S3Upload implements Upload {
  readonly #store: S3Store;
  /** The key the parts go to: the path to publish at when known, else a temporary one. */
  readonly #temp: string;
  readonly #direct: boolean;
  #buffer: Uint8Array;
  #filled = 0;
  #uploadId: string | undefined;
  readonly #etags: string[] = [];
  #size = 0;
  /** The temp object exists (the multipart upload was completed). */
  #completed = false;
  #published = false;

  constructor(store: S3Store, dir: string, path?: string) {
    this.#store = store;
    this.#direct = path !== undefined;
    this.#temp = path !== undefined
      ? segments(path).join("/")
      : [...segments(dir), `.pond-${crypto.randomUUID()}.tmp`].join("/");
    this.#buffer = new Uint8Array(0);
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#published || this.#completed) {
      throw new DeltaError("InvalidArgument", `upload ${this.#temp} is no longer being written`);
    }
    const partSize = this.#store.partSize;
    for (let at = 0; at < data.length;) {
      if (this.#buffer.length === 0) this.#buffer = new Uint8Array(partSize);
      const take = Math.min(partSize - this.#filled, data.length - at);
      this.#buffer.set(data.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === partSize) await this.#sendPart();
    }
    this.#size += data.length;
  }

  async putIfAbsent(path: string): Promise<boolean> {
    return await this.#publish(path, true);
  }

  async put(path: string): Promise<void> {
    await this.#publish(path, false);
  }

  async abort(): Promise<void> {
    if (this.#uploadId && !this.#completed) {
      const res = await this.#store.multipart(this.#temp, "DELETE", `?uploadId=${this.#uploadId}`)
        .catch(() => undefined);
      await res?.body?.cancel();
      this.#uploadId = undefined;
    }
    if (this.#completed) {
      await this.#store.delete(this.#temp).catch(() => {});
      this.#completed = false;
    }
    this.#buffer = new Uint8Array(0);
  }

  async #publish(path: string, ifAbsent: boolean): Promise<boolean> {
    if (this.#published) {
      throw new DeltaError("InvalidArgument", `upload ${this.#temp} was already published`);
    }
    if (!this.#uploadId) {
      const body = this.#buffer.subarray(0, this.#filled);
      const created = ifAbsent
        ? await this.#store.putIfAbsent(path, body)
        : (await this.#store.put(path, body), true);
      if (created) this.#settle();
      return created;
    }
    if (this.#direct) return await this.#completeAt(path, ifAbsent);
    if (!this.#completed) await this.#complete();
    if (this.#size > COPY_LIMIT) {
      throw new RemoteError(
        "TooLarge",
        `${
          this.#store.locate(path)
        }: ${this.#size} bytes is more than one S3 copy publishes (5 GiB)`,
        { path },
      );
    }
    if (ifAbsent) {
      if (await this.#store.exists(path) || !(await this.#store.copy(this.#temp, path, true))) {
        return false;
      }
    } else {
      await this.#store.copy(this.#temp, path);
    }
    await this.#store.delete(this.#temp);
    this.#completed = false;
    this.#settle();
    return true;
  }

  #settle(): void {
    this.#published = true;
    this.#buffer = new Uint8Array(0);
    this.#filled = 0;
  }

  async #sendPart(): Promise<void> {
    if (!this.#uploadId) {
      const res = await this.#store.multipart(this.#temp, "POST", "?uploads");
      const id = element(await res.text(), "UploadId");
      if (!id) {
        throw new RemoteError(
          "RemoteFailure",
          `${this.#store.locate(this.#temp)}: no UploadId in reply`,
        );
      }
      this.#uploadId = id;
    }
    const body = this.#buffer.subarray(0, this.#filled);
    const n = this.#etags.length + 1;
    const res = await this.#store.multipart(
      this.#temp,
      "PUT",
      `?partNumber=${n}&uploadId=${this.#uploadId}`,
      { body, headers: contentHeaders(body) },
    );
    await res.body?.cancel();
    this.#etags.push(res.headers.get("etag") ?? "");
    this.#filled = 0;
  }

  /** Completes a multipart upload made at the path it is published at (`ifAbsent`: unless one is there). */
  async #completeAt(path: string, ifAbsent: boolean): Promise<boolean> {
    if (segments(path).join("/") !== this.#temp) {
      throw new DeltaError(
        "InvalidArgument",
        `upload to ${this.#store.locate(this.#temp)} cannot be published at ${path}`,
        { path },
      );
    }
    if (ifAbsent && await this.#store.exists(path)) return false;
    if (!(await this.#complete(ifAbsent))) return false;
    this.#completed = false;
    this.#settle();
    return true;
  }

  /** Completes the multipart upload; false when `ifAbsent` and the server refused (412). */
  async #complete(ifAbsent = false): Promise<boolean> {
    if (this.#filled > 0) await this.#sendPart();
    const res = await this.#store.multipart(this.#temp, "POST", `?uploadId=${this.#uploadId}`, {
      body: completeBody(this.#etags),
      headers: { "Content-Type": "application/xml", ...(ifAbsent && { "If-None-Match": "*" }) },
      ok: [200, 412],
    });
    if (res.status === 412) {
      await res.body?.cancel();
      return false;
    }
    const text = await res.text();
    if (/<Error>/.test(text)) {
      throw new RemoteError(
        "RemoteFailure",
        `completing the upload of ${this.#store.locate(this.#temp)} failed: ${
          element(text, "Message") ?? text
        }`,
      );
    }
    this.#completed = true;
    this.#uploadId = undefined;
    return true;
  }
}
