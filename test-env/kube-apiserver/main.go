// Command test-kube-apiserver runs a real Kubernetes API server, with an
// embedded etcd, on loopback for the cluster registry's tests.
//
// It is the upstream kube-apiserver (k8s.io/kubernetes/cmd/kube-apiserver/app)
// started in-process; nothing here imitates the API. The wrapper only does what
// a cluster installer would: it creates a PKI, a static token file and an
// embedded etcd, starts the server, binds the read-only token to the built-in
// `view` ClusterRole, runs the controller manager's ServiceAccount tokens
// controller (tokens.go), and writes the endpoints and credentials as JSON.
//
//	test-kube-apiserver -dir /tmp/cluster-a
//
// prints one line of JSON on stdout when the server is ready (also written to
// <dir>/env.json) and serves until it receives SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// Environment is what the wrapper prints: everything a test needs to reach the
// server. Field names are what the TypeScript test environment reads.
type Environment struct {
	Name            string `json:"name"`
	ServerURL       string `json:"serverUrl"`
	CAData          string `json:"caData"`
	AdminCertData   string `json:"adminCertData"`
	AdminKeyData    string `json:"adminKeyData"`
	AdminToken      string `json:"adminToken"`
	ReadOnlyToken   string `json:"readOnlyToken"`
	NoRightsToken   string `json:"noRightsToken"`
	Kubeconfig      string `json:"kubeconfigPath"`
	OtherCAData     string `json:"otherCaData"`
	KubernetesMinor string `json:"kubernetesVersion"`
	PID             int    `json:"pid"`
}

func main() {
	dir := flag.String("dir", "", "state directory (certificates, etcd data, env.json); required")
	name := flag.String("name", "test-cluster", "cluster name written into the kubeconfig")
	port := flag.Int("port", 0, "secure port; 0 picks a free loopback port")
	host := flag.String("host", "", "a host name: the serving certificate names only it (no loopback SANs) and the server URL uses it; "+
		"for a private API server in a network namespace whose hosts file resolves the name")
	webhook := flag.String("authn-webhook-config", "", "a kubeconfig for --authentication-token-webhook-config-file: bearer tokens the static token file does not know "+
		"are sent to that webhook as TokenReviews (the EKS stand-in's aws-iam-authenticator)")
	webhookTTL := flag.Duration("authn-webhook-cache-ttl", 2*time.Minute, "--authentication-token-webhook-cache-ttl: how long a webhook's answer (yes or no) is cached per token")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "-dir is required")
		os.Exit(2)
	}
	if err := run(*dir, *name, *port, *host, webhookOptions{*webhook, *webhookTTL}); err != nil {
		fmt.Fprintln(os.Stderr, "test-kube-apiserver:", err)
		os.Exit(1)
	}
}

func run(dir, name string, port int, host string, webhook webhookOptions) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		port = p
	}

	pki, err := writePKI(filepath.Join(dir, "pki"), host)
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	tokens, err := writeTokenFile(filepath.Join(dir, "tokens.csv"))
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	etcdURL, closeEtcd, err := startEtcd(filepath.Join(dir, "etcd"))
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer closeEtcd()

	serverURL := fmt.Sprintf("https://127.0.0.1:%d", port)
	if host != "" {
		serverURL = fmt.Sprintf("https://%s:%d", host, port)
	}
	apiErr := make(chan error, 1)
	go func() { apiErr <- runAPIServer(ctx, dir, port, etcdURL, pki, webhook) }()

	env := Environment{
		Name:          name,
		ServerURL:     serverURL,
		CAData:        pki.caPEM,
		AdminCertData: pki.adminCertPEM,
		AdminKeyData:  pki.adminKeyPEM,
		AdminToken:    tokens.admin,
		ReadOnlyToken: tokens.readOnly,
		NoRightsToken: tokens.noRights,
		OtherCAData:   pki.otherCAPEM,
		PID:           os.Getpid(),
	}

	readyCtx, cancelReady := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelReady()
	version, err := waitReadyAndBootstrap(readyCtx, env, apiErr)
	if err != nil {
		return err
	}
	env.KubernetesMinor = version
	if err := startTokensController(ctx, env, pki); err != nil {
		return fmt.Errorf("tokens controller: %w", err)
	}

	env.Kubeconfig = filepath.Join(dir, "admin.kubeconfig")
	if err := writeKubeconfig(env.Kubeconfig, env); err != nil {
		return err
	}
	out, _ := json.Marshal(env)
	if err := os.WriteFile(filepath.Join(dir, "env.json"), out, 0o600); err != nil {
		return err
	}
	fmt.Println(string(out))

	select {
	case <-ctx.Done():
		return nil
	case err := <-apiErr:
		return fmt.Errorf("kube-apiserver stopped: %w", err)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
