/** Built-in plugin: one table of several series side by side by time (a full outer join), or with `column` one column per series (the pivot); its code is timeseries_by_time.ts. */

export const manifest = {
  name: "timeseries-join",
  version: "1.0.0",
  description:
    "Series side by side by time (full outer join), or one column per series of one parameter",
  provides: ["file"],
  config: {
    inputs: {
      type: "glob",
      required: true,
      contents: false,
      description: "the series to join, e.g. /sites/*/readings.series",
    },
    prefix: {
      type: "string",
      default: "$0",
      description: "each series' column prefix, a template of its captures",
    },
    column: {
      type: "string",
      description: "pivot: only this column of each series, named by its prefix alone",
    },
    time_column: {
      type: "string",
      description: "the series' time column (default: the first timestamp column)",
    },
  },
};
