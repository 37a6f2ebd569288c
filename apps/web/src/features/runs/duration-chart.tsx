import { useQuery } from '@tanstack/react-query';
import { BarChart } from '../../components/bar-chart.tsx';
import { type CloudId, cloudLabel } from '../../components/cloud-badge.tsx';
import { ProblemAlert } from '../../components/problem-alert.tsx';
import { formatDuration } from '../../lib/format.ts';
import { fetchDurationStats } from '../../lib/runs.ts';
import { durationChartData } from './duration-stats.ts';
import { stepLabel } from './step-timeline.ts';

const cloudName = (cloud: string) =>
  cloud === 'aws' || cloud === 'azure' || cloud === 'gcp' ? cloudLabel(cloud as CloudId) : cloud;

/** How long clone steps take per cloud and operation, from Dolly's own finished clones. */
export function DurationChart() {
  const stats = useQuery({
    queryKey: ['runs', 'duration-stats'],
    queryFn: () => fetchDurationStats(200),
    staleTime: 60_000,
  });
  if (stats.error) return <ProblemAlert error={stats.error} />;
  if (!stats.data) return <p className="muted">Loading durations…</p>;
  const data = durationChartData(stats.data.items);
  if (data.groups.length === 0)
    return <p className="muted">No finished clone yet: durations appear here after the first one.</p>;
  return (
    <BarChart
      title="Clone step durations per cloud and operation"
      description={`Median (p50) duration of each clone step, from the latest ${stats.data.runs} finished clones; p90 in brackets.`}
      series={data.clouds.map((c) => ({ key: c, label: cloudName(c) }))}
      valueHeader="Median duration (p90, samples)"
      groups={data.groups.map((g) => ({
        label: g.operation === 'node-pool' ? 'Node pool' : stepLabel(g.operation),
        bars: g.bars.map((b) => ({
          series: b.cloud,
          value: b.p50Ms,
          display: formatDuration(b.p50Ms),
          note: `p90 ${formatDuration(b.p90Ms)}, ${b.count} sample${b.count === 1 ? '' : 's'}`,
        })),
      }))}
    />
  );
}
