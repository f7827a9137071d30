// ECharts from echarts/core with only what the dashboard draws: bar charts
// on a grid, tooltips and legends, on canvas. Imported only by the
// dashboard's components, so it lands in the dashboard route's chunk.
import * as echarts from 'echarts/core';
import { BarChart, type BarSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.ComposeOption<BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;
export type BarSeries = BarSeriesOption;
export { echarts };
