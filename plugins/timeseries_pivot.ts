/** Built-in plugin: one column per matched series of a chosen parameter, by time (timeseries-join's pivot under its own name; its code is timeseries_by_time.ts). */

export const manifest = {
  name: "timeseries-pivot",
  version: "1.0.0",
  description: "One column per series of one parameter, side by side by time",
  provides: ["file"],
  config: {
    inputs: {
      type: "glob",
      required: true,
      contents: false,
      description: "the series, e.g. /sites/*/readings.series",
    },
    column: {
      type: "string",
      required: true,
      description: "the parameter: this column of each series, named by its prefix",
    },
    prefix: {
      type: "string",
      default: "$0",
      description: "each series' column name, a template of its captures",
    },
    time_column: {
      type: "string",
      description: "the series' time column (default: the first timestamp column)",
    },
  },
};
