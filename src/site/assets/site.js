// pond site: draws a series page's charts with uPlot from the partitions its manifest lists, loading each with a <script> tag (file:// forbids fetch).
"use strict";
(function () {
  const manifestElement = document.getElementById("pond-manifest");
  if (!manifestElement) return;
  const manifest = JSON.parse(manifestElement.textContent);
  const DAY = 86400e3;
  const RANGES = { day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY };
  const finest = manifest.resolutions[0];
  const loaded = new Map();
  const pending = new Map();
  const waiting = new Map();
  const charts = [];
  let view = null;
  let shown = null;
  let generation = 0;

  const site = {
    /** Called by each partition's script with its data. */
    data(key, value) {
      loaded.set(key, value);
      const resolve = waiting.get(key);
      if (resolve) {
        waiting.delete(key);
        resolve(value);
      }
    },
    /** Partition scripts loaded so far. */
    fetches: 0,
    /** The view shown: from, to (ms), resolution, points per series, fetches it took. */
    view: null,
    /** When the first chart was painted (performance.now()). */
    firstPaint: undefined,
    csv,
    setView,
    /** The data chart `i` draws (uPlot's: seconds, then each line; null where it breaks). */
    chartData: (i) => charts[i] && charts[i].data,
  };
  globalThis.pondSite = site;

  function load(part) {
    if (loaded.has(part.key)) return Promise.resolve(loaded.get(part.key));
    if (pending.has(part.key)) return pending.get(part.key);
    const promise = new Promise((resolve, reject) => {
      waiting.set(part.key, resolve);
      const script = document.createElement("script");
      script.src = part.file;
      script.onload = () => {
        script.remove();
        if (!loaded.has(part.key)) reject(new Error(`${part.file} held no data`));
      };
      script.onerror = () => {
        script.remove();
        pending.delete(part.key);
        reject(new Error(`could not load ${part.file}`));
      };
      site.fetches++;
      document.head.appendChild(script);
    });
    pending.set(part.key, promise);
    return promise;
  }

  /** The finest resolution whose buckets over [from, to) stay under the view's budget. */
  function resolutionFor(from, to) {
    const fits = manifest.resolutions.find((r) => (to - from) / r.ms <= manifest.viewPoints);
    return fits || manifest.resolutions[manifest.resolutions.length - 1];
  }

  /** One series' rows in [from, to] from the partitions, with a null row where buckets are missing. */
  function rowsOf(datas, s, resolution, from, to) {
    const times = [];
    const values = manifest.columns.map(() => []);
    const filled = new Set();
    for (const data of datas) {
      const part = data.series[s];
      let t = 0;
      for (let i = 0; i < part.t.length; i++) {
        t = i === 0 ? part.t[0] : t + part.t[i];
        if (t < from || t > to) continue;
        if (times.length && t - times[times.length - 1] > resolution.ms) {
          filled.add(times.length);
          times.push(times[times.length - 1] + resolution.ms);
          for (const v of values) v.push(null);
        }
        times.push(t);
        for (let c = 0; c < values.length; c++) values[c].push(part.v[c][i]);
      }
    }
    return { times, values, filled };
  }

  async function setView(from, to, cause) {
    const mine = ++generation;
    const resolution = resolutionFor(from, to);
    const parts = resolution.parts.filter((p) => p.start <= to && p.end > from);
    const before = site.fetches;
    status(`Loading ${resolution.name} data…`);
    let datas;
    try {
      datas = await Promise.all(parts.map(load));
    } catch (e) {
      status(`Could not load the data: ${e.message}`);
      return;
    }
    if (mine !== generation) return;
    view = { from, to };
    shown = {
      resolution,
      series: manifest.series.map((_, s) => rowsOf(datas, s, resolution, from, to)),
    };
    const points = Math.max(0, ...shown.series.map((r) => r.times.length - r.filled.size));
    draw();
    site.view = {
      from,
      to,
      resolution: resolution.name,
      points,
      fetches: site.fetches - before,
      cause,
    };
    for (const b of document.querySelectorAll("[data-range]")) {
      b.setAttribute("aria-pressed", String(b.dataset.range === cause));
    }
    const hash = `#t=${iso(from)}..${iso(to)}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
    status(
      `${text(from)} – ${text(to)} UTC · resolution ${resolution.name} · ${points} points`,
      resolution.name,
      points,
    );
  }

  function status(message, resolution, points) {
    const el = document.getElementById("view");
    el.textContent = message;
    if (resolution) {
      el.dataset.resolution = resolution;
      el.dataset.points = String(points);
    }
  }

  function colors() {
    const css = getComputedStyle(document.documentElement);
    const get = (name) => css.getPropertyValue(name).trim();
    return {
      fg: get("--fg"),
      grid: get("--grid"),
      line: get("--line"),
      band: get("--band"),
      other: get("--other"),
    };
  }

  function draw() {
    const figures = document.querySelectorAll("figure.chart");
    figures.forEach((figure, i) => {
      const s = Number(figure.dataset.series);
      const param = manifest.params[Number(figure.dataset.param)];
      const rows = shown.series[s];
      const columns = [param.line, ...(param.band || []), ...param.others];
      const data = [rows.times.map((t) => t / 1000), ...columns.map((c) => rows.values[c])];
      if (!charts[i]) {
        charts[i] = makeChart(figure, param, data);
      } else {
        charts[i].setData(data, false);
      }
      charts[i].setScale("x", { min: view.from / 1000, max: view.to / 1000 });
    });
  }

  function makeChart(figure, param, data) {
    const c = colors();
    const names = manifest.columns;
    const series = [{ label: "time (UTC)" }, {
      label: names[param.line],
      stroke: c.line,
      width: 1.5,
    }];
    if (param.band) {
      for (const i of param.band) {
        series.push({ label: names[i], stroke: c.band, width: 0.5, points: { show: false } });
      }
    }
    for (const i of param.others) {
      series.push({ label: names[i], stroke: c.other, width: 1, dash: [4, 3] });
    }
    const plot = figure.querySelector(".plot");
    const axis = { stroke: c.fg, grid: { stroke: c.grid }, ticks: { stroke: c.grid } };
    const chart = new uPlot(
      {
        width: plot.clientWidth || 320,
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
        scales: { x: { time: true } },
        series,
        bands: param.band ? [{ series: [3, 2], fill: c.band }] : [],
        axes: [axis, { ...axis, size: 56, label: param.unit || undefined }],
        legend: { live: true },
        cursor: { drag: { x: true, y: false, setScale: false }, sync: { key: "pond" } },
        hooks: {
          setSelect: [(u) => {
            if (u.select.width < 4) return;
            const from = u.posToVal(u.select.left, "x") * 1000;
            const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            setView(Math.round(from), Math.round(to), "zoom");
          }],
          draw: [() => {
            if (site.firstPaint === undefined) site.firstPaint = performance.now();
          }],
        },
      },
      data,
      plot,
    );
    plot.addEventListener("dblclick", () => setRange("all"));
    return chart;
  }

  function setRange(range) {
    const to = manifest.newest + finest.ms;
    const from = range === "all" ? manifest.first : to - RANGES[range];
    return setView(from, to, range);
  }

  /** The rows shown, as CSV: time, then each column (per series when a page has several). */
  function csv() {
    if (!shown) return "";
    const several = manifest.series.length > 1;
    const header = ["time"];
    for (const path of manifest.series) {
      for (const c of manifest.columns) header.push(several ? `${path}:${c}` : c);
    }
    const rows = new Map();
    shown.series.forEach((r, s) => {
      r.times.forEach((t, i) => {
        if (r.filled.has(i)) return;
        if (!rows.has(t)) {
          rows.set(t, new Array(manifest.series.length * manifest.columns.length).fill(""));
        }
        const row = rows.get(t);
        r.values.forEach((v, c) => {
          row[s * manifest.columns.length + c] = v[i] === null ? "" : String(v[i]);
        });
      });
    });
    const lines = [header.map(csvField).join(",")];
    for (const t of [...rows.keys()].sort((a, b) => a - b)) {
      lines.push([iso(t), ...rows.get(t)].map(csvField).join(","));
    }
    return lines.join("\n") + "\n";
  }

  function csvField(v) {
    return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }

  function iso(ms) {
    return new Date(ms).toISOString().replace(".000Z", "Z");
  }

  function text(ms) {
    return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  }

  function fromHash() {
    const m = location.hash.match(/^#t=(.+?)\.\.(.+)$/);
    if (!m) return false;
    const from = Date.parse(decodeURIComponent(m[1]));
    const to = Date.parse(decodeURIComponent(m[2]));
    if (!(from < to)) return false;
    if (view && view.from === from && view.to === to) return true;
    setView(from, to, "link");
    return true;
  }

  for (const button of document.querySelectorAll("[data-range]")) {
    button.addEventListener("click", () => setRange(button.dataset.range));
  }
  document.getElementById("csv").addEventListener("click", () => {
    const blob = new Blob([csv()], { type: "text/csv" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${manifest.name}_${iso(view.from)}_${iso(view.to)}.csv`.replace(/[:/\\]/g, "-");
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  addEventListener("hashchange", fromHash);
  addEventListener("resize", () => {
    document.querySelectorAll("figure.chart .plot").forEach((plot, i) => {
      if (charts[i]) charts[i].setSize({ width: plot.clientWidth, height: 220 });
    });
  });
  if (!fromHash()) setRange(manifest.newest - manifest.first > RANGES.month ? "month" : "all");
})();
