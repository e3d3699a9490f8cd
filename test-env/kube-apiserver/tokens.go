package main

import (
	"context"
	"fmt"
	"os"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/keyutil"
	"k8s.io/klog/v2"
	sacontroller "k8s.io/kubernetes/pkg/controller/serviceaccount"
	"k8s.io/kubernetes/pkg/serviceaccount"
)

// startTokensController runs, in this process, the one controller of
// kube-controller-manager that the registry relies on: the ServiceAccount
// tokens controller (k8s.io/kubernetes/pkg/controller/serviceaccount, the
// upstream code), which fills every Secret of type
// kubernetes.io/service-account-token with a long-lived token signed by the
// API server's service-account key. Nothing else of the controller manager
// runs (no garbage collector, no namespace deletion).
func startTokensController(ctx context.Context, env Environment, pki *pkiFiles) error {
	client, err := kubernetes.NewForConfig(adminRestConfig(env))
	if err != nil {
		return err
	}
	keyPEM, err := os.ReadFile(pki.saKeyFile)
	if err != nil {
		return err
	}
	key, err := keyutil.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return fmt.Errorf("service-account key: %w", err)
	}
	generator, err := serviceaccount.JWTTokenGenerator(serviceaccount.LegacyIssuer, key)
	if err != nil {
		return err
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	controller, err := sacontroller.NewTokensController(
		klog.Background(),
		factory.Core().V1().ServiceAccounts(),
		factory.Core().V1().Secrets(),
		client,
		sacontroller.TokensControllerOptions{
			TokenGenerator: generator,
			RootCA:         []byte(pki.caPEM),
		},
	)
	if err != nil {
		return err
	}
	factory.Start(ctx.Done())
	go controller.Run(ctx, 1)
	return nil
}
