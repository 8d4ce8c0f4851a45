/** One app process backing one pod. */
export interface AppProcess {
  namespace: string;
  pod: string;
  /** The Deployment owning the pod (its ReplicaSet's name minus the pod-template hash). */
  workload: string;
  /** The image tag of the pod's first container. */
  version: string;
  labels: Record<string, string>;
  pid: number | undefined;
  /** Set once the process listens; kept after a crash, so requests to it fail as they would to a dead pod. */
  port: number | undefined;
  /** `running` while the pod exists; `draining` after it is gone (serving its last requests); `exited` once the process ended. */
  state: 'running' | 'draining' | 'exited';
  /** The pod is Ready on the API server and not terminating. */
  ready: boolean;
}
