import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import { Theme, useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import type {
  VersionSupport,
  VersionSupportStatus,
} from '@cluster-registry/plugin-cluster-registry-common';
import { UNKNOWN } from './format';

const LABELS: Record<VersionSupportStatus, string> = {
  newest: 'Supported (newest)',
  supported: 'Supported',
  oldest: 'Oldest supported',
  unsupported: 'Out of support',
  ahead: 'Newer than the window',
  unknown: 'Unknown',
  standard: 'EKS standard support',
  extended: 'EKS extended support',
};

function badgeColor(status: VersionSupportStatus, theme: Theme): string {
  const p = theme.palette;
  switch (status) {
    case 'newest':
    case 'supported':
    case 'standard':
      return p.success.main;
    case 'oldest':
    case 'extended':
      return p.warning.main;
    case 'unsupported':
      return p.error.main;
    case 'ahead':
      return p.info.main;
    default:
      return p.grey[500];
  }
}

/** The version's place in the support window, as a coloured chip. */
export function SupportBadge({ support }: { support: VersionSupport }) {
  const theme = useTheme();
  const color = badgeColor(support.status, theme);
  return (
    <Chip
      size="small"
      label={LABELS[support.status] ?? support.status}
      style={{
        backgroundColor: color,
        color: theme.palette.getContrastText(color),
      }}
    />
  );
}

/** The Kubernetes version, its support status and the window. */
export function VersionCard({ support }: { support: VersionSupport }) {
  return (
    <InfoCard title="Kubernetes version">
      <Box display="flex" alignItems="center" style={{ gap: 12 }} mb={1}>
        <Typography variant="h5" component="span">
          {support.version ?? UNKNOWN}
        </Typography>
        <SupportBadge support={support} />
      </Box>
      <Typography variant="body2">{support.message}</Typography>
      <StructuredMetadataTable
        dense
        metadata={{
          'supported window': `${support.window.oldest} – ${support.window.newest}`,
          ...(support.provider && { 'support policy': support.provider }),
          ...(support.endOfStandardSupport && {
            'end of standard support': support.endOfStandardSupport,
          }),
          ...(support.endOfExtendedSupport && {
            'end of extended support': support.endOfExtendedSupport,
          }),
        }}
      />
    </InfoCard>
  );
}
