// Reports: self-contained HTML pages with inline SVG pictures (portable: no Node APIs).
export { renderReport, type Report, type ReportItem, type ReportSection } from './html.js';
export { heatmapSvg, type HeatmapOptions } from './heatmap.js';
export { lineChartSvg, type LineChartOptions, type LineSeries } from './line-chart.js';
export { esc, niceTicks, fmtNum, PALETTE } from './svg-common.js';
