// One ECharts instance in a div named for screen readers (the numbers are
// in the table beside it). ECharts fixes its locale when a chart is
// created, so the chart is created anew when the language changes. When a
// chart has drawn, its container says so (data-drawn), which the browser
// tests time.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { echarts, type ChartOption } from './echarts';

export interface ChartClick {
  seriesId?: string;
  seriesName?: string;
  name: string;
  dataIndex: number;
}

export function EChart({ option, label, height, onClick }: {
  option: ChartOption;
  label: string;
  height: number;
  onClick?: (p: ChartClick) => void;
}) {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'zh-CN' ? 'ZH' : 'EN';
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const c = echarts.init(node, undefined, { locale, renderer: 'canvas' });
    chart.current = c;
    c.on('finished', () => { node.dataset.drawn = 'true'; });
    c.on('click', (p) => {
      click.current?.({
        seriesId: typeof p.seriesId === 'string' ? p.seriesId : undefined,
        seriesName: p.seriesName,
        name: p.name,
        dataIndex: p.dataIndex,
      });
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
      delete node.dataset.drawn;
    };
  }, [locale]);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option, locale]);

  return (
    <div
      ref={el}
      role="img"
      aria-label={label}
      data-chart
      style={{ width: '100%', height, cursor: onClick ? 'pointer' : undefined }}
    />
  );
}
