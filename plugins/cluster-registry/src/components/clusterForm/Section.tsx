import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';

/** A titled group of fields in the cluster forms. */
export function Section(props: {
  title: string;
  description?: string;
  children: ReactNode;
}) {
  const id = `section-${props.title
    .toLocaleLowerCase('en-US')
    .replace(/\W+/g, '-')}`;
  return (
    <Box component="section" aria-labelledby={id} mt={3}>
      <Typography variant="h6" id={id}>
        {props.title}
      </Typography>
      {props.description && (
        <Typography variant="body2" color="textSecondary">
          {props.description}
        </Typography>
      )}
      {props.children}
    </Box>
  );
}
