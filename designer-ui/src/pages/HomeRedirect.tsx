import { Navigate } from 'react-router';
import { homeFor, useSession } from '../auth/session';

/** HomeRedirect sends / to the signed-in user's home (the inbox, the queue, approvals…). */
export function HomeRedirect() {
  const { me } = useSession();
  return <Navigate to={homeFor(me?.user.role)} replace />;
}
