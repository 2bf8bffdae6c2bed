/** The oplog layer's row and blob problems as pond's findings: the node at fault by its path, and what to do. */
import { bodyFaultText, type NodeName, type RowAt, type RowProblem } from "../oplog/mod.ts";
import { error, type Finding, reason } from "./check_findings.ts";
import { OPLOG_SUBJECT } from "./check_log_findings.ts";

const RESTORE = "restore the pond from a backup";

/**
 * The finding of a problem the row check found.
 *
 * @example
 * ```ts
 * rowFinding({ kind: "missingRoot", code: "MissingRoot", node: { id: "0", path: "/" } }).message;
 * // "the root directory has no version; restore the pond from a backup"
 * ```
 */
export function rowFinding(p: RowProblem): Finding {
  switch (p.kind) {
    case "unreadableFile":
      return error(
        p.code,
        `${OPLOG_SUBJECT}${p.file}`,
        `its rows do not read (${reason(p.cause)}); restore it from a backup of the pond`,
      );
    case "row":
      return nodeError(p.code, p.node, `${atText(p.at)} ${p.detail}`);
    case "listing":
      return nodeError(
        p.code,
        p.node,
        `version ${p.version} ${p.detail}${p.cause === undefined ? "" : ` (${reason(p.cause)})`}`,
      );
    case "dangling":
      return nodeError(
        p.code,
        p.node,
        `version ${p.version} (transaction ${p.seq}) names ${
          JSON.stringify(p.name)
        } → node ${p.target.nodeId} in partition ${p.target.partId}, which has no version at or before that transaction`,
      );
    case "duplicate":
      return nodeError(
        p.code,
        p.node,
        `version ${p.version} is stored twice (in ${OPLOG_SUBJECT}${
          p.files[0]
        } and ${OPLOG_SUBJECT}${p.files[1]})`,
      );
    case "missingVersion":
      return nodeError(
        p.code,
        p.node,
        `version ${p.version} is missing (the next stored is ${p.next})`,
      );
    case "order":
      return nodeError(
        p.code,
        p.node,
        `version ${p.version} (transaction ${p.seq}) is not newer than version ${p.previous.version} (transaction ${p.previous.seq})`,
      );
    case "missingRoot":
      return nodeError(p.code, p.node, "the root directory has no version");
    case "blob":
      return blobFinding(p);
    case "notParquet": {
      const why = p.why.kind === "noTime"
        ? "has no timestamp column"
        : `is not Parquet (${reason(p.why.cause)})`;
      return error(
        p.code,
        nameOf(p.node),
        `${
          atText(p.at)
        } is a file:${p.body} whose body ${why}, so it cannot be read as rows; copy the original again, or restore the pond from a backup`,
      );
    }
  }
}

function nodeError(code: RowProblem["code"], node: NodeName, text: string): Finding {
  return error(code, nameOf(node), `${text}; ${RESTORE}`);
}

/** A node as findings name it: its path and id, or its id when the listings do not say where it is. */
function nameOf(node: NodeName): string {
  return node.path === undefined ? `node ${node.id}` : `${node.path} (node ${node.id})`;
}

function atText(at: RowAt): string {
  return `version ${at.version} (transaction ${at.seq}, in ${OPLOG_SUBJECT}${at.file})`;
}

/** A blob that is missing or damaged, and the version that uses it; a damaged one can be moved aside. */
function blobFinding(p: Extract<RowProblem, { kind: "blob" }>): Finding {
  const subject = `blobs/${p.path}`;
  const failure = p.fault.kind === "body"
    ? bodyFaultText(p.fault.fault, p.size)
    : p.fault.kind === "error"
    ? reason(p.fault.cause)
    : "does not match its name";
  const others = p.others > 0 ? ` and ${p.others} more versions` : "";
  const held = `${failure}; it holds version ${p.user.version} of ${nameOf(p.user.node)}${others}`;
  const setAside = p.setAside;
  if (!setAside) {
    return error(
      p.code,
      subject,
      `${held}; copy the original into the pond again, or restore the pond from a backup`,
    );
  }
  return error(
    p.code,
    subject,
    `${held}; \`pond check --repair\` moves it aside, so that copying the original into the pond again stores it afresh; or restore the pond from a backup`,
    async () =>
      `moved aside as blobs/${await setAside()}: copy the original into the pond again to store it afresh`,
  );
}
