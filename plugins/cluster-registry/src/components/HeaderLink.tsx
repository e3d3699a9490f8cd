import { Link } from '@backstage/core-components';
import { useTheme } from '@material-ui/core/styles';
import { ReactNode } from 'react';

/**
 * A link in a page header, in the header's own font colour (white on the
 * default page themes): the header does not pass it down to links.
 */
export function HeaderLink(props: { to: string; children: ReactNode }) {
  const theme = useTheme() as { page?: { fontColor?: string } };
  return (
    <Link
      to={props.to}
      style={{
        color: theme.page?.fontColor ?? 'inherit',
        textDecoration: 'underline',
      }}
    >
      {props.children}
    </Link>
  );
}
