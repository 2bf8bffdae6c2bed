/** Regenerates samples/: hourly water-quality readings from three sondes, as CSV and Parquet. */
import { parquetWriteBuffer } from "hyparquet-writer";

const START = Date.UTC(2026, 5, 1); // 2026-06-01T00:00Z
const HOURS = 14 * 24;
const SITES = [
  { name: "lake_north", temp: 18, oxygen: 8.6, conductivity: 310, format: "csv" },
  { name: "lake_south", temp: 19.5, oxygen: 8.1, conductivity: 325, format: "csv" },
  { name: "river_inlet", temp: 15, oxygen: 9.4, conductivity: 270, format: "parquet" },
] as const;

/** A small deterministic generator, so the samples are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function readings(site: typeof SITES[number], seed: number) {
  const rnd = random(seed);
  const rows = [];
  for (let h = 0; h < HOURS; h++) {
    const day = Math.sin(((h % 24) - 9) / 24 * 2 * Math.PI);
    const temp = site.temp + 2.5 * day + h / HOURS + (rnd() - 0.5) * 0.4;
    rows.push({
      timestamp: new Date(START + h * 3_600_000),
      temperature_c: round(temp, 2),
      dissolved_oxygen_mg_l: round(
        site.oxygen - 0.18 * (temp - site.temp) + (rnd() - 0.5) * 0.2,
        2,
      ),
      conductivity_us_cm: round(site.conductivity + (rnd() - 0.5) * 12, 1),
      ph: round(7.9 + 0.25 * day + (rnd() - 0.5) * 0.1, 2),
    });
  }
  return rows;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const out = new URL("../samples/", import.meta.url);
await Deno.mkdir(out, { recursive: true });
for (const [i, site] of SITES.entries()) {
  const rows = readings(site, 17 + i);
  if (site.format === "csv") {
    const header = Object.keys(rows[0]).join(",");
    const lines = rows.map((r) =>
      [
        r.timestamp.toISOString(),
        r.temperature_c,
        r.dissolved_oxygen_mg_l,
        r.conductivity_us_cm,
        r.ph,
      ]
        .join(",")
    );
    await Deno.writeTextFile(
      new URL(`${site.name}.csv`, out),
      [header, ...lines].join("\n") + "\n",
    );
  } else {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "timestamp", data: rows.map((r) => r.timestamp), type: "TIMESTAMP" },
        { name: "temperature_c", data: rows.map((r) => r.temperature_c), type: "DOUBLE" },
        {
          name: "dissolved_oxygen_mg_l",
          data: rows.map((r) => r.dissolved_oxygen_mg_l),
          type: "DOUBLE",
        },
        { name: "conductivity_us_cm", data: rows.map((r) => r.conductivity_us_cm), type: "DOUBLE" },
        { name: "ph", data: rows.map((r) => r.ph), type: "DOUBLE" },
      ],
    });
    await Deno.writeFile(new URL(`${site.name}.parquet`, out), new Uint8Array(buffer));
  }
}
await Deno.writeTextFile(
  new URL("sites.json", out),
  JSON.stringify(SITES.map(({ name, format }) => ({ name, format, interval: "1h" })), null, 2) +
    "\n",
);
