import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusAborted,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  ProvisioningRequest,
  ProvisioningStep,
} from '@cluster-registry/plugin-cluster-registry-common';

const STEP_ICONS = {
  pending: StatusPending,
  running: StatusRunning,
  done: StatusOK,
  failed: StatusError,
  skipped: StatusAborted,
} as const;

/** "3 s", "4 min 10 s". */
function duration(step: ProvisioningStep, now: number) {
  if (!step.startedAt) return undefined;
  const end = step.finishedAt ? Date.parse(step.finishedAt) : now;
  const s = Math.max(0, Math.round((end - Date.parse(step.startedAt)) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function StepRow({ step, now }: { step: ProvisioningStep; now: number }) {
  const Icon = STEP_ICONS[step.state] ?? StatusPending;
  const took = duration(step, now);
  return (
    <Box
      component="li"
      py={1}
      data-testid={`step-${step.id}`}
      aria-label={`${step.title}: ${step.state}`}
    >
      <Box display="flex" alignItems="baseline" style={{ gap: 8 }}>
        <Icon>{step.title}</Icon>
        <Typography variant="caption" color="textSecondary">
          {step.state}
          {took && ` · ${took}`}
          {step.startedAt &&
            ` · started ${new Date(step.startedAt).toLocaleTimeString()}`}
        </Typography>
      </Box>
      {step.message && step.state !== 'failed' && (
        <Typography variant="body2" color="textSecondary">
          {step.message}
        </Typography>
      )}
      {step.error && (
        <Box mt={0.5}>
          <Typography variant="body2" color="error">
            {step.error.code ? `${step.error.code}: ` : ''}
            {step.error.message}
          </Typography>
          {step.error.hint && (
            <Typography variant="body2">
              What to do: {step.error.hint}
            </Typography>
          )}
        </Box>
      )}
    </Box>
  );
}

/**
 * How creating (or deleting) the cluster at its provider goes: each step
 * with its state, time and message; a failed one with the provider's error
 * and what to do, and Retry.
 */
export function ProvisioningCard(props: {
  request: ProvisioningRequest;
  canRetry: boolean;
  busy: boolean;
  onRetry(): void;
}) {
  const { request } = props;
  const now = Date.now();
  const what = request.operation === 'create' ? 'Creation' : 'Deletion';
  const state = {
    running: 'in progress',
    succeeded: 'done',
    failed: 'failed',
  }[request.state];
  return (
    <InfoCard
      title={`${what} at ${request.provider.toUpperCase()}: ${state}`}
      subheader={`Requested by ${request.createdBy} on ${new Date(
        request.createdAt,
      ).toLocaleString()}`}
    >
      <Box
        component="ol"
        m={0}
        pl={0}
        style={{ listStyle: 'none' }}
        aria-label={`${what} steps`}
      >
        {request.steps.map(step => (
          <StepRow key={step.id} step={step} now={now} />
        ))}
      </Box>
      {request.outputs && (
        <Typography variant="body2" color="textSecondary">
          {[
            request.outputs.region && `region ${request.outputs.region}`,
            request.outputs.vpcId && `VPC ${request.outputs.vpcId}`,
            request.outputs.arn,
            request.outputs.oidcIssuer &&
              `OIDC issuer ${request.outputs.oidcIssuer}`,
          ]
            .filter(Boolean)
            .join(' · ')}
        </Typography>
      )}
      {request.state === 'failed' && (
        <Box mt={2}>
          <Button
            variant="contained"
            color="primary"
            disabled={!props.canRetry || props.busy}
            onClick={props.onRetry}
          >
            Retry from the failed step
          </Button>
        </Box>
      )}
    </InfoCard>
  );
}
