import { isGone, type KubeObject, type ObjectList, type ObjectPage, type PageRequest, type ResourceType, type Selectors } from '../ports/kube.js';

/**
 * Items per page of every list the operator makes. A cluster with 10,000 Helm-release Secrets of 50 KB
 * would otherwise answer one 500 MB response; 500 items of even 50 KB keep a page at 25 MB, and the server
 * holds only one page's worth of work per request (it is client-go's default page size too).
 */
export const LIST_PAGE_SIZE = 500;

/** How often a list whose continue token expired is started again from the first page before giving up. */
const MAX_RESTARTS = 3;

/** What {@link listAllPages} needs: one page of the list. */
export type PageReader<T extends KubeObject> = (type: ResourceType<T>, request: PageRequest) => Promise<ObjectPage<T>>;

/** `'app=two'` (a label selector, as callers used to pass it) or selectors → selectors. */
export function selectorsOf(selectors: string | Selectors | undefined): Selectors {
  return typeof selectors === 'string' ? { labelSelector: selectors } : { ...selectors };
}

/**
 * Lists every matching object page by page (`limit` + `continue`). The resourceVersion is the first page's,
 * the snapshot every later page is read from. A continue token expires once etcd compacts past that snapshot
 * (about 5 minutes by default; the server then answers 410 Gone): the list is started again from the first
 * page, so the result is always one consistent snapshot, never two halves of different ones.
 *
 * Example: 1,200 Secrets → pages of 500, 500 and 200 items, the first two with a continue token.
 */
export async function listAllPages<T extends KubeObject>(readPage: PageReader<T>, type: ResourceType<T>,
  request: Selectors & { namespace?: string }, pageSize = LIST_PAGE_SIZE): Promise<ObjectList<T>> {
  for (let restarts = 0; ; restarts++) {
    try {
      return await readAllPages(readPage, type, { ...request, limit: pageSize });
    } catch (error) {
      if (!(error instanceof ContinueExpired) || restarts >= MAX_RESTARTS) throw error instanceof ContinueExpired ? error.cause : error;
    }
  }
}

// A 410 on a page after the first: the snapshot is gone and the list must start over.
class ContinueExpired extends Error {
  constructor(override readonly cause: unknown) {
    super('continue token expired');
  }
}

async function readAllPages<T extends KubeObject>(readPage: PageReader<T>, type: ResourceType<T>, request: PageRequest): Promise<ObjectList<T>> {
  const first = await readPage(type, request);
  const items = [...first.items];
  for (let token = first.continue; token !== undefined && token !== '';) {
    let page: ObjectPage<T>;
    try {
      page = await readPage(type, { ...request, continue: token });
    } catch (error) {
      throw isGone(error) ? new ContinueExpired(error) : error;
    }
    items.push(...page.items);
    token = page.continue;
  }
  return { items, resourceVersion: first.resourceVersion };
}
