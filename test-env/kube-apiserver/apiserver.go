package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

type staticTokens struct{ admin, readOnly, noRights string }

// writeTokenFile writes the apiserver's --token-auth-file: one admin token
// (group system:masters), one read-only token (bound to the `view` ClusterRole
// after start-up) and one token whose user has no rights at all.
func writeTokenFile(path string) (*staticTokens, error) {
	t := &staticTokens{admin: randomToken(), readOnly: randomToken(), noRights: randomToken()}
	// token,user,uid,"group1,group2"
	csv := fmt.Sprintf("%s,test-admin,uid-admin,\"system:masters\"\n%s,test-viewer,uid-viewer\n%s,test-nobody,uid-nobody\n",
		t.admin, t.readOnly, t.noRights)
	return t, os.WriteFile(path, []byte(csv), 0o600)
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// runAPIServer runs the upstream kube-apiserver command in this process until
// it stops. There is no kubelet and, but for the tokens controller
// (tokens.go), no controller manager: admission plugins that
// depend on controllers (ServiceAccount needs the default account a controller
// creates) are disabled so that Pods and Deployments can be created as plain
// API objects.
func runAPIServer(_ context.Context, dir string, port int, etcdURL string, pki *pkiFiles, webhook webhookOptions) error {
	cmd := app.NewAPIServerCommand()
	args := []string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--etcd-servers=" + etcdURL,
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--tls-cert-file=" + pki.serverCertFile,
		"--tls-private-key-file=" + pki.serverKeyFile,
		"--client-ca-file=" + pki.caFile,
		"--token-auth-file=" + filepath.Join(dir, "tokens.csv"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + pki.saPubFile,
		"--service-account-signing-key-file=" + pki.saKeyFile,
		"--api-audiences=https://kubernetes.default.svc",
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--disable-admission-plugins=ServiceAccount",
		"--allow-privileged=true",
		"--profiling=false",
		"--endpoint-reconciler-type=none",
		"--v=0",
	}
	if webhook.configFile != "" {
		args = append(args,
			"--authentication-token-webhook-config-file="+webhook.configFile,
			"--authentication-token-webhook-version=v1beta1",
			"--authentication-token-webhook-cache-ttl="+webhook.cacheTTL.String(),
		)
	}
	cmd.SetArgs(args)
	return cmd.Execute()
}

// webhookOptions configure token authentication by a webhook (an EKS-style
// aws-iam-authenticator): tokens neither the static token file nor the
// ServiceAccount authenticator accept are posted to it as TokenReviews.
// aws-iam-authenticator v0.7.2 speaks authentication.k8s.io/v1beta1.
type webhookOptions struct {
	configFile string
	cacheTTL   time.Duration
}
