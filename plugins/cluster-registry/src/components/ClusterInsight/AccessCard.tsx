import { InfoCard } from '@backstage/core-components';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import { useTheme } from '@material-ui/core/styles';
import Check from '@material-ui/icons/Check';
import Close from '@material-ui/icons/Close';
import Alert from '@material-ui/lab/Alert';
import type {
  AccessCheck,
  ClusterInsightAccess,
} from '@cluster-registry/plugin-cluster-registry-common';

/** Allowed checks a read-only portal does not need. */
function isTooMuch(c: AccessCheck) {
  return (
    c.allowed &&
    (c.verb === '*' ||
      c.resource === '*' ||
      (c.verb === 'get' && c.resource === 'secrets'))
  );
}

function checkText(c: AccessCheck) {
  const group = c.group && c.group !== '*' ? `.${c.group}` : '';
  return `${c.verb} ${c.resource}${group}`;
}

/** What the stored credentials may do, from SelfSubjectAccessReviews. */
export function AccessCard({ access }: { access: ClusterInsightAccess }) {
  const theme = useTheme();
  let body;
  if (!access.items)
    body = (
      <Alert severity="warning">
        {access.error ?? 'What the credentials may do is not known.'}
      </Alert>
    );
  else {
    const tooMuch = access.items.filter(isTooMuch);
    body = (
      <>
        {access.error && <Alert severity="warning">{access.error}</Alert>}
        {tooMuch.length > 0 && (
          <Alert severity="warning">
            The credentials may do more than a read-only portal needs:{' '}
            {tooMuch.map(checkText).join(', ')}. Consider a token bound to a
            read-only role.
          </Alert>
        )}
        <List dense>
          {access.items.map(c => (
            <ListItem
              key={checkText(c)}
              style={
                isTooMuch(c)
                  ? { borderLeft: `4px solid ${theme.palette.warning.main}` }
                  : undefined
              }
            >
              <ListItemIcon>
                {c.allowed ? (
                  <Check
                    style={{ color: theme.palette.success.main }}
                    titleAccess="allowed"
                  />
                ) : (
                  <Close color="disabled" titleAccess="denied" />
                )}
              </ListItemIcon>
              <ListItemText primary={checkText(c)} secondary={c.description} />
            </ListItem>
          ))}
        </List>
      </>
    );
  }
  return <InfoCard title="What the credentials may do">{body}</InfoCard>;
}
