/** The Delta table schema: parsing and serializing its JSON form, type names, and column-mapping metadata. */

import { DeltaError } from "./errors.ts";

/** The primitive type names of the Delta schema (besides `decimal(p,s)`). */
export type PrimitiveName =
  | "string"
  | "long"
  | "integer"
  | "short"
  | "byte"
  | "float"
  | "double"
  | "boolean"
  | "binary"
  | "date"
  | "timestamp"
  | "timestamp_ntz";

const PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveName>([
  "string",
  "long",
  "integer",
  "short",
  "byte",
  "float",
  "double",
  "boolean",
  "binary",
  "date",
  "timestamp",
  "timestamp_ntz",
]);

/** `decimal(precision, scale)`. */
export interface DecimalType {
  type: "decimal";
  precision: number;
  scale: number;
}

/** A field of a struct. `metadata` holds e.g. `delta.columnMapping.physicalName`. */
export interface StructField {
  name: string;
  type: DataType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

/** A struct (the table schema itself is one). */
export interface StructType {
  type: "struct";
  fields: StructField[];
}

/** An array. */
export interface ArrayType {
  type: "array";
  elementType: DataType;
  containsNull: boolean;
}

/** A map. */
export interface MapType {
  type: "map";
  keyType: DataType;
  valueType: DataType;
  valueContainsNull: boolean;
}

/** Any Delta data type. Primitives are their names, as in the schema JSON. */
export type DataType = PrimitiveName | DecimalType | StructType | ArrayType | MapType;

/** Metadata key of a column's physical (Parquet) name under column mapping. */
export const PHYSICAL_NAME_KEY = "delta.columnMapping.physicalName";
/** Metadata key of a column's field id under column mapping. */
export const FIELD_ID_KEY = "delta.columnMapping.id";

const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;

function invalid(message: string): never {
  throw new DeltaError("InvalidSchema", message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseType(json: unknown, at: string): DataType {
  if (typeof json === "string") {
    if (PRIMITIVES.has(json)) return json as PrimitiveName;
    if (json === "decimal") return { type: "decimal", precision: 10, scale: 0 };
    const m = DECIMAL.exec(json);
    if (m) {
      const precision = Number(m[1]), scale = Number(m[2]);
      if (precision < 1 || precision > 38 || scale > precision) {
        invalid(`${at}: bad decimal type ${json}`);
      }
      return { type: "decimal", precision, scale };
    }
    throw new DeltaError(
      "UnsupportedFeature",
      `${at}: the data type ${JSON.stringify(json)} is not supported`,
    );
  }
  if (!isObject(json)) {
    invalid(`${at}: a type must be a name or an object, got ${JSON.stringify(json)}`);
  }
  switch (json.type) {
    case "struct":
      return parseStruct(json, at);
    case "array":
      return {
        type: "array",
        elementType: parseType(json.elementType, `${at}.element`),
        containsNull: json.containsNull !== false,
      };
    case "map":
      return {
        type: "map",
        keyType: parseType(json.keyType, `${at}.key`),
        valueType: parseType(json.valueType, `${at}.value`),
        valueContainsNull: json.valueContainsNull !== false,
      };
    default:
      throw new DeltaError(
        "UnsupportedFeature",
        `${at}: the data type ${JSON.stringify(json.type)} is not supported`,
      );
  }
}

function parseStruct(json: Record<string, unknown>, at: string): StructType {
  if (!Array.isArray(json.fields)) invalid(`${at}: a struct needs a "fields" array`);
  const fields = json.fields.map((f: unknown, i: number): StructField => {
    if (!isObject(f) || typeof f.name !== "string") {
      invalid(`${at}: field ${i} needs a string "name"`);
    }
    return {
      name: f.name,
      type: parseType(f.type, at === "" ? f.name : `${at}.${f.name}`),
      nullable: f.nullable !== false,
      metadata: isObject(f.metadata) ? f.metadata : {},
    };
  });
  return { type: "struct", fields };
}

/**
 * Parses a Delta schema string (`metaData.schemaString`) into a struct type. Throws
 * `InvalidSchema` for malformed JSON and `UnsupportedFeature` for types it does not know.
 *
 * @example
 * ```ts
 * const schema = parseSchema('{"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]}');
 * schema.fields[0].type; // "long"
 * ```
 */
export function parseSchema(schemaString: string): StructType {
  let json: unknown;
  try {
    json = JSON.parse(schemaString);
  } catch (e) {
    throw new DeltaError(
      "InvalidSchema",
      `the schema string is not valid JSON: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (!isObject(json) || json.type !== "struct") invalid("the table schema must be a struct type");
  return parseStruct(json, "");
}

function typeToJson(type: DataType): unknown {
  if (typeof type === "string") return type;
  switch (type.type) {
    case "decimal":
      return `decimal(${type.precision},${type.scale})`;
    case "struct":
      return {
        type: "struct",
        fields: type.fields.map((f) => ({
          name: f.name,
          type: typeToJson(f.type),
          nullable: f.nullable,
          metadata: f.metadata,
        })),
      };
    case "array":
      return {
        type: "array",
        elementType: typeToJson(type.elementType),
        containsNull: type.containsNull,
      };
    case "map":
      return {
        type: "map",
        keyType: typeToJson(type.keyType),
        valueType: typeToJson(type.valueType),
        valueContainsNull: type.valueContainsNull,
      };
  }
}

/**
 * Serializes a struct type to a Delta schema string (the inverse of {@link parseSchema}).
 *
 * @example
 * ```ts
 * serializeSchema({ type: "struct", fields: [{ name: "id", type: "long", nullable: true, metadata: {} }] });
 * ```
 */
export function serializeSchema(schema: StructType): string {
  return JSON.stringify(typeToJson(schema));
}

/**
 * A type's compact name, as Spark's `simpleString`: `long`, `decimal(10,2)`,
 * `array<integer>`, `map<string,long>`, `struct<a:integer,b:string>`.
 *
 * @example
 * ```ts
 * typeName({ type: "array", elementType: "integer", containsNull: true }); // "array<integer>"
 * ```
 */
export function typeName(type: DataType): string {
  if (typeof type === "string") return type;
  switch (type.type) {
    case "decimal":
      return `decimal(${type.precision},${type.scale})`;
    case "struct":
      return `struct<${type.fields.map((f) => `${f.name}:${typeName(f.type)}`).join(",")}>`;
    case "array":
      return `array<${typeName(type.elementType)}>`;
    case "map":
      return `map<${typeName(type.keyType)},${typeName(type.valueType)}>`;
  }
}

/** The column mapping modes of `delta.columnMapping.mode`. */
export type ColumnMappingMode = "none" | "name" | "id";

/**
 * The column mapping mode of a table configuration (`none` when unset). Throws
 * `UnsupportedFeature` for a mode it does not know.
 *
 * @example
 * ```ts
 * columnMappingMode({ "delta.columnMapping.mode": "name" }); // "name"
 * ```
 */
export function columnMappingMode(configuration: Record<string, string>): ColumnMappingMode {
  const mode = configuration["delta.columnMapping.mode"] ?? "none";
  if (mode === "none" || mode === "name" || mode === "id") return mode;
  throw new DeltaError(
    "UnsupportedFeature",
    `column mapping mode ${JSON.stringify(mode)} is not supported`,
  );
}

/**
 * The name of a field's column in the Parquet files: its physical name under column mapping
 * modes `name`/`id` (falling back to the logical name when the table has none), else its name.
 *
 * @example
 * ```ts
 * physicalName({ name: "a", type: "long", nullable: true, metadata: { "delta.columnMapping.physicalName": "col-1" } }, "name"); // "col-1"
 * ```
 */
export function physicalName(field: StructField, mode: ColumnMappingMode): string {
  const physical = field.metadata[PHYSICAL_NAME_KEY];
  return mode !== "none" && typeof physical === "string" ? physical : field.name;
}

/**
 * A field's column-mapping id (`delta.columnMapping.id`), if it has one.
 *
 * @example
 * ```ts
 * fieldId({ name: "a", type: "long", nullable: true, metadata: { "delta.columnMapping.id": 7 } }); // 7
 * ```
 */
export function fieldId(field: StructField): number | undefined {
  const id = field.metadata[FIELD_ID_KEY];
  return typeof id === "number" ? id : undefined;
}
