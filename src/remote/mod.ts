/** The public face of pond's remote layer: stores on object storage and directories, and pushing, pulling and restoring ponds through them. */

export { isRemoteError, RemoteError, type RemoteErrorCode } from "./errors.ts";
export { type Credentials, findCredentials, parseIni } from "./credentials.ts";
export { type RequestCounts, type S3Location, S3Store, type S3StoreOptions } from "./s3_store.ts";
export { openRemote, parseRemoteUrl, type RemoteSpec, type RemoteTarget } from "./remote_url.ts";
export { addRemote, readRemotes, remoteNamed, REMOTES_FILE, removeRemote } from "./remotes_file.ts";
export { listPond, type PondObjects, tipOf } from "./pond_objects.ts";
export {
  type Tally,
  transfer,
  type TransferNames,
  type TransferOptions,
  type TransferSummary,
} from "./transfer.ts";
export { pullPond, pushPond, restorePond, type SyncOptions, type SyncReport } from "./sync.ts";
export {
  type VerifyFinding,
  type VerifyOptions,
  verifyRemote,
  type VerifyReport,
} from "./verify.ts";
