package main

import (
	"context"
	"fmt"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func adminRestConfig(env Environment) *rest.Config {
	return &rest.Config{
		Host: env.ServerURL,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   []byte(env.CAData),
			CertData: []byte(env.AdminCertData),
			KeyData:  []byte(env.AdminKeyData),
		},
		Timeout: 10 * time.Second,
	}
}

// waitReadyAndBootstrap waits for /readyz, then grants the read-only user the
// built-in `view` ClusterRole. It returns the server's git version.
func waitReadyAndBootstrap(ctx context.Context, env Environment, apiErr <-chan error) (string, error) {
	client, err := kubernetes.NewForConfig(adminRestConfig(env))
	if err != nil {
		return "", err
	}
	for {
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && string(body) == "ok" {
			break
		}
		select {
		case err := <-apiErr:
			return "", fmt.Errorf("kube-apiserver exited during start-up: %v", err)
		case <-ctx.Done():
			return "", fmt.Errorf("kube-apiserver not ready: %v (last: %v)", ctx.Err(), err)
		case <-time.After(250 * time.Millisecond):
		}
	}

	if err := aggregateClusterRoles(ctx, client); err != nil {
		return "", fmt.Errorf("aggregating cluster roles: %w", err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "test-viewer-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "test-viewer"}},
	}
	_, err = client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return "", fmt.Errorf("binding the read-only user: %w", err)
	}

	info, err := client.Discovery().ServerVersion()
	if err != nil {
		return "", err
	}
	return info.GitVersion, nil
}

// aggregateClusterRoles does once what the controller manager's
// clusterrole-aggregation controller does continuously: it fills the rules of
// every ClusterRole with an aggregationRule (admin, edit, view) from the roles
// its selectors match. Without it, the built-in `view` role grants nothing.
func aggregateClusterRoles(ctx context.Context, client kubernetes.Interface) error {
	roles, err := client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, role := range roles.Items {
		if role.AggregationRule == nil {
			continue
		}
		var rules []rbacv1.PolicyRule
		for _, selector := range role.AggregationRule.ClusterRoleSelectors {
			sel, err := metav1.LabelSelectorAsSelector(&selector)
			if err != nil {
				return err
			}
			for _, other := range roles.Items {
				if other.Name != role.Name && sel.Matches(labels.Set(other.Labels)) {
					rules = append(rules, other.Rules...)
				}
			}
		}
		updated := role.DeepCopy()
		updated.Rules = rules
		if _, err := client.RbacV1().ClusterRoles().Update(ctx, updated, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

func writeKubeconfig(path string, env Environment) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[env.Name] = &clientcmdapi.Cluster{
		Server:                   env.ServerURL,
		CertificateAuthorityData: []byte(env.CAData),
	}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: []byte(env.AdminCertData),
		ClientKeyData:         []byte(env.AdminKeyData),
	}
	cfg.Contexts[env.Name] = &clientcmdapi.Context{Cluster: env.Name, AuthInfo: "admin"}
	cfg.CurrentContext = env.Name
	return clientcmd.WriteToFile(*cfg, path)
}
