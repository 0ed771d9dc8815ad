// Command testcluster runs a real kube-apiserver on top of an embedded etcd,
// for the TARS test suite. It is one process so that `stop` has exactly one
// thing to end; the Node wrapper (test/cluster/cli.ts) manages it.
//
// On first start in a directory it creates a private CA, a serving
// certificate for 127.0.0.1, a service-account key pair and two bearer
// tokens (admin in system:masters, and the "tars" user that the wrapper binds
// to the read-only ClusterRole TARS ships). Later starts reuse them, so the
// kubeconfigs written by the wrapper stay valid across restarts.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	dir := flag.String("dir", "", "state directory (PKI, tokens, etcd data)")
	port := flag.Int("port", 0, "kube-apiserver secure port on 127.0.0.1")
	etcdPort := flag.Int("etcd-port", 0, "etcd client port on 127.0.0.1 (peer port is this + 1)")
	flag.Parse()
	if *dir == "" || *port == 0 || *etcdPort == 0 {
		fmt.Fprintln(os.Stderr, "usage: testcluster --dir D --port P --etcd-port E")
		os.Exit(2)
	}
	if err := run(*dir, *port, *etcdPort); err != nil {
		fmt.Fprintln(os.Stderr, "testcluster:", err)
		os.Exit(1)
	}
}

func run(dir string, port, etcdPort int) error {
	pki := filepath.Join(dir, "pki")
	if err := ensurePKI(pki); err != nil {
		return fmt.Errorf("creating PKI: %w", err)
	}
	etcd, err := startEtcd(filepath.Join(dir, "etcd"), etcdPort)
	if err != nil {
		return fmt.Errorf("starting etcd: %w", err)
	}
	defer etcd.Close()

	cmd := app.NewAPIServerCommand()
	cmd.SetArgs([]string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// The lease and master-count reconcilers refuse a loopback address for the
		// "kubernetes" Service endpoints; nothing here routes to it anyway.
		"--endpoint-reconciler-type=none",
		"--secure-port=" + strconv.Itoa(port),
		"--etcd-servers=http://127.0.0.1:" + strconv.Itoa(etcdPort),
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--tls-cert-file=" + filepath.Join(pki, "serving.crt"),
		"--tls-private-key-file=" + filepath.Join(pki, "serving.key"),
		"--client-ca-file=" + filepath.Join(pki, "ca.crt"),
		"--token-auth-file=" + filepath.Join(pki, "tokens.csv"),
		"--authorization-mode=RBAC",
		"--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,ResourceQuota,DefaultStorageClass",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(pki, "sa.pub"),
		"--service-account-signing-key-file=" + filepath.Join(pki, "sa.key"),
		"--service-cluster-ip-range=10.96.0.0/16",
		"--allow-privileged=true",
		"--profiling=false",
		"--v=0",
	})
	return cmd.Execute()
}

func startEtcd(dataDir string, clientPort int) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "tars-test"
	cfg.Dir = dataDir
	cfg.LogLevel = "error"
	client := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(clientPort))}
	peer := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(clientPort+1))}
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("etcd not ready after 60s")
	}
}

// ensurePKI writes the files the API server and the kubeconfigs need, once.
func ensurePKI(pki string) error {
	if _, err := os.Stat(filepath.Join(pki, "tokens.csv")); err == nil {
		return nil
	}
	if err := os.MkdirAll(pki, 0o700); err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tars-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	srvKeyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"ca.crt":      pemBlock("CERTIFICATE", caDER),
		"serving.crt": pemBlock("CERTIFICATE", srvDER),
		"serving.key": pemBlock("EC PRIVATE KEY", srvKeyDER),
		"sa.key":      pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)),
		"sa.pub":      pemBlock("PUBLIC KEY", saPub),
		// token,user,uid,"group1,group2"
		"tokens.csv": []byte(fmt.Sprintf("%s,admin,admin,\"system:masters\"\n%s,tars,tars,\"tars\"\n",
			randomToken(), randomToken())),
	}
	// tokens.csv last: its presence marks a complete PKI directory.
	for _, name := range []string{"ca.crt", "serving.crt", "serving.key", "sa.key", "sa.pub", "tokens.csv"} {
		if err := os.WriteFile(filepath.Join(pki, name), files[name], 0o600); err != nil {
			return err
		}
	}
	return nil
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
