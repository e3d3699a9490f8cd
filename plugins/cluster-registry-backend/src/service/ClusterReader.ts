import { InputError } from '@backstage/errors';
import {
  AddressPolicy,
  ClusterConnectionsService,
  TunnelHandle,
} from '@cluster-registry/plugin-cluster-registry-node';
import http from 'node:http';
import https from 'node:https';
import { ClusterRecord, ClusterRecordWithSecrets } from '../database/types';
import { buildKubeConfig } from '../kubernetes/kubeConfig';
import { KubeClient, KubeResponse } from '../kubernetes/request';
import { mintAwsToken, VerifyOptions } from '../kubernetes/verifyCluster';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { openClusterTunnel } from './clusterTunnel';

/**
 * Read access to one stored cluster for the insight and metrics views: its
 * API server with the stored credentials, and its Prometheus, each through
 * the cluster's connection method. Opened by ClusterService.openForReading
 * (which authorizes the caller); closed by whoever opened it.
 */
export interface ClusterReader {
  readonly name: string;
  /** The stored record, for what it says about the cluster (auth type, last status). */
  readonly record: ClusterRecord;
  /** The label of this cluster's series in a shared Prometheus. */
  readonly clusterLabel?: { name: string; value: string };
  /** Whether the cluster has an API server to ask (isolated records have none). */
  readonly hasApiServer: boolean;
  /** A GET or POST against the API server; throws KubeConnectionError. */
  kube(
    method: 'GET' | 'POST',
    path: string,
    options?: { body?: unknown; maxResponseChars?: number },
  ): Promise<KubeResponse>;
  /** The cluster's Prometheus, when it has one. */
  readonly prometheus?: PrometheusClient;
  close(): void;
}

export interface ReaderOptions {
  verify: VerifyOptions;
  connections?: ClusterConnectionsService;
  /** Answers of the insight routes are larger than a verification's. */
  maxResponseChars: number;
  /** Prometheus answers are bounded by the points and series caps: smaller. */
  maxPrometheusChars: number;
}

function prometheusOf(
  record: ClusterRecordWithSecrets,
  options: ReaderOptions,
  handles: TunnelHandle<http.Agent>[],
): PrometheusClient | undefined {
  const prometheus = record.prometheus;
  if (!prometheus) return undefined;
  const timeoutMs = options.verify.timeoutMs;
  let tunnel: http.Agent | undefined;
  let unreachable: string | undefined;
  if (prometheus.throughClusterConnection) {
    const opened = openClusterTunnel(
      options.connections,
      record,
      { timeoutMs },
      prometheus.url.startsWith('https:') ? 'https:' : 'http:',
    );
    if ('refusal' in opened) unreachable = opened.refusal;
    else if (opened.handle) {
      handles.push(opened.handle);
      tunnel = opened.handle.agent;
    }
  }
  return new PrometheusClient(
    prometheus,
    record.secrets,
    options.verify.addressPolicy,
    {
      timeoutMs,
      maxResponseChars: options.maxPrometheusChars,
      tunnel,
      unreachable,
    },
  );
}

/** Opens a reader; the AWS token of an IAM cluster is minted here, once. */
export async function openClusterReader(
  record: ClusterRecordWithSecrets,
  options: ReaderOptions,
): Promise<ClusterReader> {
  const handles: TunnelHandle<http.Agent>[] = [];
  const policy: AddressPolicy = options.verify.addressPolicy;
  const prometheus = prometheusOf(record, options, handles);
  let client: KubeClient | undefined;
  let failure: Error | undefined;
  if (!record.isolated && record.serverUrl && record.auth) {
    let awsToken: string | undefined;
    if (record.auth.type === 'aws') {
      const minted = await mintAwsToken(record.auth, options.verify);
      if ('failure' in minted) failure = new Error(minted.failure.message);
      else awsToken = minted.token;
    }
    if (!failure) {
      const opened = openClusterTunnel(options.connections, record, {
        timeoutMs: options.verify.timeoutMs,
      });
      let tunnel: https.Agent | undefined;
      if ('refusal' in opened) failure = new Error(opened.refusal);
      else if (opened.handle) {
        handles.push(opened.handle);
        tunnel = opened.handle.agent;
      }
      if (!failure)
        client = new KubeClient(
          buildKubeConfig(
            {
              name: record.name,
              serverUrl: record.serverUrl,
              auth: record.auth,
              tls: record.tls,
              secrets: record.secrets,
            },
            awsToken,
          ),
          policy,
          tunnel,
        );
    }
  }
  return {
    name: record.name,
    record,
    clusterLabel: record.prometheus?.clusterLabel,
    hasApiServer: !record.isolated,
    prometheus,
    async kube(method, path, opts = {}) {
      if (failure) throw failure;
      if (!client)
        throw new InputError(
          `cluster ${record.name} is isolated: the registry does not reach its API server`,
        );
      return client.request(method, path, {
        body: opts.body,
        timeoutMs: options.verify.timeoutMs,
        maxResponseChars: opts.maxResponseChars ?? options.maxResponseChars,
      });
    },
    close() {
      client?.close();
      for (const h of handles) h.close();
    },
  };
}
