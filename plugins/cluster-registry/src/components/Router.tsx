import { Route, Routes } from 'react-router-dom';
import { CategoriesPage } from './CategoriesPage';
import { ClusterListPage } from './ClusterListPage';
import { ClusterPage } from './ClusterPage';
import { RegisterClusterPage } from './RegisterClusterPage';
import { CreateClusterPage } from './CreateClusterPage';

/** The plugin's pages under its mount point (/clusters). */
export function Router() {
  return (
    <Routes>
      <Route path="/" element={<ClusterListPage />} />
      <Route path="/categories" element={<CategoriesPage />} />
      <Route path="/register" element={<RegisterClusterPage />} />
      <Route path="/create" element={<CreateClusterPage />} />
      <Route path="/:name" element={<ClusterPage />} />
    </Routes>
  );
}
