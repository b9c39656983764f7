// A bar chart with uPlot, for the reports. The canvas is a picture: every chart is drawn from a
// table shown next to it (the exact amounts, for screen readers and for copying), and its label
// says what it shows. Bar heights are in major units as floating point: a picture's precision; the
// amounts themselves are never computed in floats.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function BarChart({ labels, values, label, unit }: { labels: string[]; values: number[]; label: string; unit: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const xs = labels.map((_, i) => i);
    const max = Math.max(0, ...values);
    const width = Math.max(280, Math.min(560, el.clientWidth || 480));
    const opts: uPlot.Options = {
      width,
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: [-0.5, labels.length - 0.5] },
        y: { range: [0, max > 0 ? max * 1.12 : 1] },
      },
      axes: [
        {
          splits: () => xs,
          values: (_u, splits) => splits.map((i) => labels[i] ?? ""),
          grid: { show: false },
          stroke: "#222",
        },
        {
          values: (_u, splits) => splits.map((v) => compact(v)),
          size: 64,
          stroke: "#222",
          label: unit,
          labelSize: 18,
        },
      ],
      series: [
        {},
        {
          label: unit,
          fill: "rgba(38, 96, 160, 0.85)",
          stroke: "#1d4f86",
          paths: uPlot.paths.bars!({ size: [0.6, 90] }),
          points: { show: false },
        },
      ],
    };
    const plot = new uPlot(opts, [xs, values], el);
    return () => plot.destroy();
  }, [labels.join("\u0000"), values.join(","), unit]);
  return <div class="chart" ref={ref} role="img" aria-label={`${label}: ${labels.map((l, i) => `${l} ${values[i]} ${unit}`).join(", ")}`} />;
}

function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}
