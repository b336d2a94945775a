/** A duration for people: seconds under two minutes, then minutes, then hours ("45 s", "9 min", "2.5 h"). */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
