/** The tag that marks what a request created: only what carries it is adopted or deleted. */
export const REQUEST_TAG = 'cluster-registry.backstage.io/request';
/** The registry's name of the cluster a resource belongs to. */
export const CLUSTER_TAG = 'cluster-registry.backstage.io/cluster';

export interface TagContext {
  requestId: string;
  clusterName: string;
  requestedBy: string;
  team?: string;
  environment?: string;
  defaultTags: Record<string, string>;
}

/** The tags of everything a request creates, as a map. */
export function tagsOf(ctx: TagContext, extra: Record<string, string> = {}) {
  return {
    ...ctx.defaultTags,
    ...(ctx.team ? { team: ctx.team } : {}),
    ...(ctx.environment ? { environment: ctx.environment } : {}),
    'cluster-registry.backstage.io/created-by': ctx.requestedBy.slice(0, 256),
    [CLUSTER_TAG]: ctx.clusterName,
    [REQUEST_TAG]: ctx.requestId,
    ...extra,
  };
}

/** The same as `[{ Key, Value }]` (EC2, IAM). */
export function tagList(tags: Record<string, string>) {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Whether a tag list says the request made it. */
export function ownedBy(
  tags:
    | Array<{ Key?: string; Value?: string }>
    | Record<string, string>
    | undefined,
  requestId: string,
): boolean {
  if (!tags) return false;
  if (Array.isArray(tags))
    return tags.some(t => t.Key === REQUEST_TAG && t.Value === requestId);
  return tags[REQUEST_TAG] === requestId;
}
