// charts.js: wraps Apache ECharts (tree-shaken: line and bar charts, canvas for the page, SVG for
// exports; the plain legend: no chart has more entries than fit, so the scrolling one is left out).
// Columnar data in, from the report. Tooltips render as rich text inside the canvas, so no string from a
// file ever reaches innerHTML; every chart carries an ARIA description, and the page puts a data table
// beside it.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendPlainComponent, AriaComponent, CanvasRenderer, SVGRenderer]);

function palette() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--text', '#1b1f24'),
    muted: read('--muted', '#5b6470'),
    grid: read('--grid', '#d9dde3'),
    background: read('--surface', '#ffffff'),
    series: [read('--chart-1', '#2563eb'), read('--chart-2', '#16a34a'), read('--chart-3', '#dc2626'), read('--chart-4', '#d97706')],
  };
}

function baseOption(description, colors) {
  return {
    aria: { enabled: true, label: { description } },
    color: colors.series,
    backgroundColor: 'transparent',
    textStyle: { color: colors.text },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', renderMode: 'richText', confine: true },
    animation: false,
  };
}

function axisStyle(colors) {
  return {
    axisLine: { lineStyle: { color: colors.grid } },
    axisLabel: { color: colors.muted, hideOverlap: true },
    splitLine: { lineStyle: { color: colors.grid } },
  };
}

/** A line chart of one figure over periods. */
export function trendOption({ labels, values, name, description, unitSuffix }) {
  const colors = palette();
  return {
    ...baseOption(description, colors),
    xAxis: { type: 'category', data: labels, ...axisStyle(colors) },
    yAxis: { type: 'value', scale: true, name: unitSuffix, nameTextStyle: { color: colors.muted }, ...axisStyle(colors) },
    series: [{ type: 'line', name, data: values, connectNulls: false, showSymbol: values.length < 60 }],
  };
}

/** Horizontal bars, one per segment. */
export function barOption({ categories, values, name, description, unitSuffix }) {
  const colors = palette();
  return {
    ...baseOption(description, colors),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true },
    xAxis: { type: 'value', name: unitSuffix, nameTextStyle: { color: colors.muted }, ...axisStyle(colors) },
    yAxis: { type: 'category', data: categories, inverse: true, ...axisStyle(colors), axisLabel: { color: colors.muted, width: 140, overflow: 'truncate' } },
    series: [{ type: 'bar', name, data: values }],
  };
}

/** Stacked bars: one series per part (e.g. promoters, passives, detractors) over categories. */
export function stackedOption({ categories, parts, description }) {
  const colors = palette();
  return {
    ...baseOption(description, colors),
    color: [colors.series[1], colors.muted, colors.series[2]],
    legend: { top: 0, textStyle: { color: colors.text } },
    xAxis: { type: 'category', data: categories, ...axisStyle(colors) },
    yAxis: { type: 'value', ...axisStyle(colors) },
    series: parts.map((part) => ({ type: 'bar', stack: 'all', name: part.name, data: part.values })),
  };
}

/** Vertical bars for a distribution (bucket labels → counts). */
export function histogramOption({ labels, counts, description, name }) {
  const colors = palette();
  return {
    ...baseOption(description, colors),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', confine: true },
    xAxis: { type: 'category', data: labels, ...axisStyle(colors) },
    yAxis: { type: 'value', ...axisStyle(colors) },
    series: [{ type: 'bar', name, data: counts, barCategoryGap: '10%' }],
  };
}

/** A chart living in `container`; keeps its last option for exports and re-renders on resize. */
export class Chart {
  constructor(container) {
    this.container = container;
    this.instance = echarts.init(container, null, { renderer: 'canvas' });
    this.option = null;
    this.observer = new ResizeObserver(() => this.instance.resize());
    this.observer.observe(container);
  }

  set(option) {
    this.option = option;
    this.instance.setOption(option, { notMerge: true });
  }

  /** PNG data URL at twice the screen resolution, on the page's background colour. */
  png() {
    return this.instance.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: palette().background });
  }

  /** The same chart rendered to an SVG document (server-side style rendering, no DOM needed). */
  svg() {
    const width = this.container.clientWidth || 800;
    const height = this.container.clientHeight || 400;
    const offscreen = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
    offscreen.setOption({ ...this.option, backgroundColor: palette().background });
    const text = offscreen.renderToSVGString();
    offscreen.dispose();
    return text;
  }

  dispose() {
    this.observer.disconnect();
    this.instance.dispose();
  }
}
