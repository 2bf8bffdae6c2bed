/** The public face of pond's remote layer: stores on object storage and directories, and pushing, pulling and restoring ponds through them. */

export { isRemoteError, RemoteError, type RemoteErrorCode } from "./errors.ts";
export { type Credentials, findCredentials, parseIni } from "./credentials.ts";
export { type RequestCounts, type S3Location, S3Store, type S3StoreOptions } from "./s3_store.ts";
