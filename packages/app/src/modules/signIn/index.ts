import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { demoSignInPage } from './SignInPage';

/** The demo portal's sign-in page (guest, or the user of an authenticating proxy). */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [demoSignInPage],
});
