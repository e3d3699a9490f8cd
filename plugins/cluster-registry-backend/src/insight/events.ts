import type { ClusterEvent } from '@cluster-registry/plugin-cluster-registry-common';

const text = (v: unknown, max: number) =>
  typeof v === 'string' ? v.slice(0, max) : undefined;

/** When an event was last seen, by the newest field the API fills. */
function lastSeen(event: any): string | undefined {
  return (
    text(event?.series?.lastObservedTime, 40) ??
    text(event?.lastTimestamp, 40) ??
    text(event?.eventTime, 40) ??
    text(event?.metadata?.creationTimestamp, 40)
  );
}

/** One core/v1 Event as a row of the events table. */
export function toClusterEvent(event: any): ClusterEvent {
  const object = event?.involvedObject ?? {};
  const count = Number(event?.series?.count ?? event?.count ?? 1);
  const seen = lastSeen(event);
  const source =
    text(event?.reportingComponent, 128) || text(event?.source?.component, 128);
  return {
    type: text(event?.type, 32) ?? 'Normal',
    reason: text(event?.reason, 128) ?? '',
    message: text(event?.message, 2000) ?? '',
    count: Number.isSafeInteger(count) && count > 0 ? count : 1,
    object: {
      kind: text(object.kind, 64) ?? '',
      name: text(object.name, 253) ?? '',
      ...(object.namespace && { namespace: text(object.namespace, 63) }),
    },
    ...(seen && { lastSeen: seen }),
    ...(source && { source }),
  };
}

/** Warnings first, then the most recently seen first. */
export function sortEvents(events: ClusterEvent[]): ClusterEvent[] {
  const time = (e: ClusterEvent) => (e.lastSeen ? Date.parse(e.lastSeen) : 0);
  return [...events].sort(
    (a, b) =>
      Number(b.type === 'Warning') - Number(a.type === 'Warning') ||
      time(b) - time(a),
  );
}
