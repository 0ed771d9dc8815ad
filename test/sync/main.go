// tars-sync: syncs a set of manifests into a cluster with Argo CD's own sync engine
// (github.com/argoproj/argo-cd/gitops-engine: pkg/cache, pkg/sync, pkg/health), driven the way
// Argo CD's application controller drives it (see syncLoop): sync waves in order, each wave
// waiting for the health of the one before, `argocd.argoproj.io/sync-options:
// ServerSideApply=true` per resource, optional pruning of resources this "application" applied
// before and no longer lists.
//
// Input: a file of multi-document YAML (e.g. `kubectl kustomize generated/<cluster>`).
// Output: one JSON document on stdout (see syncReport). Logs go to stderr.
// Exit code: 0 when the sync operation succeeded, 1 when it failed or timed out (the JSON is still
// printed), 2 for bad input.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	gosync "sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2/textlogger"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/cache"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/health"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync/common"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync/syncwaves"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/tracing"
)

// Argo CD's annotation-based resource tracking: `<app>:<group>/<kind>:<namespace>/<name>`.
const trackingAnnotation = "argocd.argoproj.io/tracking-id"

type options struct {
	kubeconfig  string
	manifests   string
	app         string
	namespace   string
	manager     string
	prune       bool
	propagation string
	timeout     time.Duration
	verbosity   int
}

// resourceReport is one target (or pruned) resource of the sync.
type resourceReport struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Wave      int    `json:"wave"`
	// The sync engine's result code (Synced, SyncFailed, Pruned, PruneSkipped) and message.
	Status  string `json:"status"`
	Message string `json:"message"`
	// The engine's operation state for this resource: Succeeded, Running (waiting for its health
	// before the next wave), Failed, Error.
	HookPhase string `json:"operationState"`
	// Health of the live object after the sync by the engine's checks (pkg/health), as Argo CD
	// shows it: Healthy, Progressing, Degraded, Suspended, Missing; "" for kinds without a check.
	Health        string `json:"health"`
	HealthMessage string `json:"healthMessage,omitempty"`
	// What the sync did to the object on the server, from its resourceVersion before and after:
	// created, configured (stored object changed), unchanged, missing (not there after), failed;
	// for leftovers of an earlier sync: pruned (gone), deleting (finalizers hold it), pruneskipped.
	Action                string `json:"action"`
	ServerSideApply       bool   `json:"serverSideApply"`
	ResourceVersionBefore string `json:"resourceVersionBefore,omitempty"`
	ResourceVersionAfter  string `json:"resourceVersionAfter,omitempty"`
}

// applyEvent is one real (not dry-run) write the engine made, in the order it made them.
type applyEvent struct {
	Seq       int    `json:"seq"`
	Time      string `json:"time"`
	Verb      string `json:"verb"`
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Wave      int    `json:"wave"`
	// The kubectl-style message of the write (e.g. "deployment.apps/x serverside-applied").
	Message string `json:"message,omitempty"`
}

// waveEvent is reported by the engine after it applied a wave (before waiting for its health).
type waveEvent struct {
	Phase string `json:"phase"`
	Wave  int    `json:"wave"`
	Final bool   `json:"final"`
	Time  string `json:"time"`
}

type syncReport struct {
	Engine    string           `json:"engine"`
	Phase     string           `json:"phase"`
	Message   string           `json:"message"`
	Resources []resourceReport `json:"resources"`
	Applied   []applyEvent     `json:"applied"`
	Waves     []waveEvent      `json:"waves"`
	Error     string           `json:"error,omitempty"`
	StartedAt string           `json:"startedAt"`
	Duration  float64          `json:"durationSeconds"`
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "tars-sync: %v\n", err)
		os.Exit(2)
	}
	report, code := run(opts)
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(report); err != nil {
		fmt.Fprintf(os.Stderr, "tars-sync: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("tars-sync", flag.ContinueOnError)
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the target cluster (required)")
	fs.StringVar(&o.manifests, "manifests", "", "file of multi-document YAML to sync; - for stdin (required)")
	fs.StringVar(&o.app, "app", "tars-sync", "application name used for resource tracking and pruning")
	fs.StringVar(&o.namespace, "namespace", "default", "namespace for namespaced resources that name none")
	fs.StringVar(&o.manager, "manager", "argocd-controller", "field manager for server-side apply")
	fs.BoolVar(&o.prune, "prune", false, "delete resources of this app that the manifests no longer list")
	fs.StringVar(&o.propagation, "prune-propagation", "foreground",
		"deletion propagation of pruned resources: foreground (Argo CD's default), background or orphan")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up (phase Timeout) after this long")
	fs.IntVar(&o.verbosity, "v", 0, "log verbosity on stderr")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch o.propagation {
	case "foreground", "background", "orphan":
	default:
		return o, fmt.Errorf("--prune-propagation must be foreground, background or orphan, not %q", o.propagation)
	}
	if o.kubeconfig == "" || o.manifests == "" {
		return o, errors.New("--kubeconfig and --manifests are required")
	}
	return o, nil
}

func run(o options) (syncReport, int) {
	started := time.Now()
	report := syncReport{
		Engine:    engineVersion(),
		StartedAt: started.UTC().Format(time.RFC3339Nano),
		Resources: []resourceReport{},
		Applied:   []applyEvent{},
		Waves:     []waveEvent{},
	}
	fail := func(phase string, err error) (syncReport, int) {
		report.Phase = phase
		report.Error = err.Error()
		report.Duration = time.Since(started).Seconds()
		return report, 1
	}

	log := textlogger.NewLogger(textlogger.NewConfig(
		textlogger.Verbosity(o.verbosity), textlogger.Output(os.Stderr)))
	config, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return fail("Error", fmt.Errorf("kubeconfig: %w", err))
	}
	// Client-go's default of 5 requests/s makes the cache's initial list of every kind take ~10 s.
	config.QPS, config.Burst = 50, 100
	targets, err := readManifests(o.manifests)
	if err != nil {
		return fail("Error", err)
	}
	clients, err := newClients(config)
	if err != nil {
		return fail("Error", err)
	}
	if err := clients.defaultNamespaces(targets, o.namespace); err != nil {
		return fail("Error", err)
	}
	for _, t := range targets {
		setTracking(t, o.app)
	}

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	before := clients.liveStates(ctx, targetKeys(targets))

	recorder := &recordingKubectl{Kubectl: &kube.KubectlCmd{Log: log, Tracer: tracing.NopTracer{}}}
	clusterCache := cache.NewClusterCache(config,
		cache.SetLogr(log),
		cache.SetKubectl(recorder.Kubectl),
		cache.SetPopulateResourceInfoHandler(func(un *unstructured.Unstructured, _ bool) (any, bool) {
			id := un.GetAnnotations()[trackingAnnotation]
			// Keep whole manifests of tracked objects only, as Argo CD does.
			return id, id != ""
		}),
	)
	if err := clusterCache.EnsureSynced(); err != nil {
		return fail("Error", fmt.Errorf("cluster cache: %w", err))
	}
	defer clusterCache.Invalidate()

	var wavesLock gosync.Mutex
	isManaged := func(r *cache.Resource) bool {
		id, _ := r.Info.(string)
		return id == trackingID(o.app, r.ResourceKey())
	}
	syncOpts := []sync.SyncOpt{
		sync.WithPrune(o.prune),
		sync.WithPrunePropagationPolicy(propagationPolicy(o.propagation)),
		sync.WithServerSideApplyManager(o.manager),
		sync.WithLogr(log),
		sync.WithSyncWaveHook(func(phase common.SyncPhase, wave int, final bool) error {
			wavesLock.Lock()
			defer wavesLock.Unlock()
			report.Waves = append(report.Waves, waveEvent{
				Phase: string(phase), Wave: wave, Final: final,
				Time: time.Now().UTC().Format(time.RFC3339Nano),
			})
			return nil
		}),
	}
	results, syncErr := syncLoop(ctx, clusterCache, config, recorder, targets, isManaged, o.namespace, syncOpts)

	results = normalizeClusterScoped(targets, results)
	report.Resources = describeResults(clients, targets, results, before)
	report.Applied = recorder.events()
	for i := range report.Applied {
		report.Applied[i].Namespace, report.Applied[i].Wave = placeOf(targets, report.Applied[i])
	}
	report.Duration = time.Since(started).Seconds()
	switch {
	case errors.Is(syncErr, context.DeadlineExceeded):
		report.Phase = "Timeout"
		report.Error = fmt.Sprintf("the sync did not finish in %s (a wave waits for the health of the one before)", o.timeout)
		report.Message = pendingMessage(report.Resources)
		return report, 1
	case syncErr != nil:
		report.Phase = string(common.OperationFailed)
		report.Error = syncErr.Error()
		return report, 1
	}
	report.Phase = string(common.OperationSucceeded)
	report.Message = "successfully synced"
	return report, 0
}

// syncLoop runs one sync operation the way Argo CD's application controller does: every step
// builds a new sync context from a fresh reconciliation of the targets with the live state in
// the cluster cache, carrying the operation state over (sync.WithInitialState). A single
// SyncContext (what pkg/engine's Sync keeps) never sees the live objects it created, so it can
// not tell when a wave has become healthy.
func syncLoop(ctx context.Context, clusterCache cache.ClusterCache, config *rest.Config, kubectl kube.Kubectl,
	targets []*unstructured.Unstructured, isManaged func(r *cache.Resource) bool, namespace string,
	opts []sync.SyncOpt,
) ([]common.ResourceSyncResult, error) {
	var (
		phase   common.OperationPhase
		message string
		results []common.ResourceSyncResult
	)
	startedAt := metav1.Now()
	for step := 0; ; step++ {
		live, err := clusterCache.GetManagedLiveObjs(targets, isManaged)
		if err != nil {
			return results, fmt.Errorf("reading live state: %w", err)
		}
		reconciled := sync.Reconcile(targets, live, namespace, clusterCache)
		stepOpts := opts
		if step > 0 {
			stepOpts = append(append([]sync.SyncOpt{}, opts...), sync.WithInitialState(phase, message, results, startedAt))
		}
		syncCtx, cleanup, err := sync.NewSyncContext("", reconciled, config, config, kubectl, namespace, stepOpts...)
		if err != nil {
			return results, fmt.Errorf("creating sync context: %w", err)
		}
		if ctx.Err() != nil {
			syncCtx.Terminate()
		} else {
			syncCtx.Sync()
		}
		phase, message, results = syncCtx.GetState()
		cleanup()
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		if phase.Completed() {
			if !phase.Successful() {
				return results, fmt.Errorf("sync operation %s: %s", phase, message)
			}
			return results, nil
		}
		// The cache follows the cluster through watches; give it a moment to see our writes.
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func propagationPolicy(name string) *metav1.DeletionPropagation {
	policy := map[string]metav1.DeletionPropagation{
		"foreground": metav1.DeletePropagationForeground,
		"background": metav1.DeletePropagationBackground,
		"orphan":     metav1.DeletePropagationOrphan,
	}[name]
	return &policy
}

// engineVersion names the gitops-engine module build this binary links.
func engineVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if strings.HasSuffix(dep.Path, "/gitops-engine") {
				return dep.Path + "@" + dep.Version
			}
		}
	}
	return "gitops-engine (unknown version)"
}

func readManifests(path string) ([]*unstructured.Unstructured, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading manifests: %w", err)
	}
	objs, err := kube.SplitYAML(data)
	if err != nil {
		return nil, fmt.Errorf("parsing manifests: %w", err)
	}
	var targets []*unstructured.Unstructured
	for _, obj := range objs {
		if obj == nil || len(obj.Object) == 0 {
			continue
		}
		if obj.GetKind() == "" || obj.GetAPIVersion() == "" || obj.GetName() == "" {
			return nil, fmt.Errorf("a manifest lacks apiVersion, kind or metadata.name: %v", obj.Object)
		}
		targets = append(targets, obj)
	}
	return targets, nil
}

func setTracking(obj *unstructured.Unstructured, app string) {
	annotations := obj.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[trackingAnnotation] = trackingID(app, kube.GetResourceKey(obj))
	obj.SetAnnotations(annotations)
}

func trackingID(app string, key kube.ResourceKey) string {
	return fmt.Sprintf("%s:%s/%s:%s/%s", app, key.Group, key.Kind, key.Namespace, key.Name)
}

// clients reads objects straight from the API server, independent of the engine's cache.
type clients struct {
	dynamic dynamic.Interface
	mapper  meta.RESTMapper
}

func newClients(config *rest.Config) (*clients, error) {
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, err
	}
	return &clients{dynamic: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))}, nil
}

// defaultNamespaces gives namespaced objects without a namespace the default one (as
// `kubectl apply -n` and an Argo CD Application's destination namespace do).
func (c *clients) defaultNamespaces(targets []*unstructured.Unstructured, namespace string) error {
	for _, t := range targets {
		gvk := t.GroupVersionKind()
		mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			// The kind may come from a CRD in the same sync; the engine handles those itself.
			continue
		}
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace && t.GetNamespace() == "" {
			t.SetNamespace(namespace)
		}
	}
	return nil
}

// liveState is what the API server holds for one object: its resourceVersion ("" when absent,
// "?" when it could not be read) and, when present, the object itself.
type liveState struct {
	resourceVersion string
	object          *unstructured.Unstructured
}

// liveStates reads each key straight from the API server.
func (c *clients) liveStates(ctx context.Context, keys []kube.ResourceKey) map[kube.ResourceKey]liveState {
	states := map[kube.ResourceKey]liveState{}
	for _, key := range keys {
		states[key] = c.read(ctx, key)
	}
	return states
}

func (c *clients) read(ctx context.Context, key kube.ResourceKey) liveState {
	gk := schema.GroupKind{Group: key.Group, Kind: key.Kind}
	mapping, err := c.mapper.RESTMapping(gk)
	if err != nil {
		// A kind served only since a CRD in this sync was applied: ask discovery again.
		c.mapper.(meta.ResettableRESTMapper).Reset()
		if mapping, err = c.mapper.RESTMapping(gk); err != nil {
			return liveState{}
		}
	}
	var live *unstructured.Unstructured
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		live, err = c.dynamic.Resource(mapping.Resource).Namespace(key.Namespace).Get(ctx, key.Name, metav1.GetOptions{})
	} else {
		live, err = c.dynamic.Resource(mapping.Resource).Get(ctx, key.Name, metav1.GetOptions{})
	}
	switch {
	case err == nil:
		return liveState{resourceVersion: live.GetResourceVersion(), object: live}
	case apierrors.IsNotFound(err):
		return liveState{}
	default:
		return liveState{resourceVersion: "?"}
	}
}

func targetKeys(targets []*unstructured.Unstructured) []kube.ResourceKey {
	keys := make([]kube.ResourceKey, 0, len(targets))
	for _, t := range targets {
		keys = append(keys, kube.GetResourceKey(t))
	}
	return keys
}

// healthOf is the engine's own health assessment (pkg/health, as Argo CD shows it) of a live object.
func healthOf(live *unstructured.Unstructured) (string, string) {
	if live == nil {
		return "Missing", ""
	}
	h, err := health.GetResourceHealth(live, nil)
	switch {
	case err != nil:
		return string(health.HealthStatusUnknown), err.Error()
	case h == nil:
		return "", "" // kinds without a health check (ConfigMap, ServiceAccount, ...)
	default:
		return string(h.Status), h.Message
	}
}

func describeResults(c *clients, targets []*unstructured.Unstructured, results []common.ResourceSyncResult,
	before map[kube.ResourceKey]liveState,
) []resourceReport {
	byKey := map[kube.ResourceKey]common.ResourceSyncResult{}
	for _, r := range results {
		if r.HookType == "" {
			byKey[r.ResourceKey] = r
		}
	}
	reports := []resourceReport{}
	seen := map[kube.ResourceKey]bool{}
	for _, t := range targets {
		key := kube.GetResourceKey(t)
		seen[key] = true
		r := byKey[key]
		after := c.read(context.Background(), key)
		healthStatus, healthMessage := healthOf(after.object)
		reports = append(reports, resourceReport{
			Group: key.Group, Kind: key.Kind, Namespace: key.Namespace, Name: key.Name,
			Wave:                  syncwaves.Wave(t),
			Status:                string(r.Status),
			Message:               r.Message,
			HookPhase:             string(r.HookPhase),
			Health:                healthStatus,
			HealthMessage:         healthMessage,
			Action:                action(before[key].resourceVersion, after.resourceVersion, r.Status),
			ServerSideApply:       hasSyncOption(t, common.SyncOptionServerSideApply),
			ResourceVersionBefore: before[key].resourceVersion,
			ResourceVersionAfter:  after.resourceVersion,
		})
	}
	// Resources the engine touched that are not targets: leftovers of an earlier sync (pruned).
	for _, r := range results {
		if seen[r.ResourceKey] || r.HookType != "" {
			continue
		}
		after := c.read(context.Background(), r.ResourceKey)
		reports = append(reports, resourceReport{
			Group: r.ResourceKey.Group, Kind: r.ResourceKey.Kind, Namespace: r.ResourceKey.Namespace,
			Name: r.ResourceKey.Name, Wave: 0, Status: string(r.Status), Message: r.Message,
			HookPhase: string(r.HookPhase), Action: pruneAction(r.Status, after),
			ResourceVersionAfter: after.resourceVersion,
		})
	}
	return reports
}

func action(before, after string, status common.ResultCode) string {
	switch {
	case status == common.ResultCodeSyncFailed:
		return "failed"
	case after == "":
		return "missing"
	case before == "":
		return "created"
	case before != after:
		return "configured"
	default:
		return "unchanged"
	}
}

// pruneAction: "pruned" only once the object is gone; "deleting" while finalizers hold it.
func pruneAction(status common.ResultCode, after liveState) string {
	if status == common.ResultCodePruned {
		if after.resourceVersion == "" {
			return "pruned"
		}
		return "deleting"
	}
	return strings.ToLower(string(status))
}

func hasSyncOption(obj *unstructured.Unstructured, option string) bool {
	for _, o := range strings.Split(obj.GetAnnotations()[common.AnnotationSyncOptions], ",") {
		if strings.TrimSpace(o) == option {
			return true
		}
	}
	return false
}

// placeOf returns the namespace (empty for cluster-scoped targets) and wave of a write.
func placeOf(targets []*unstructured.Unstructured, e applyEvent) (string, int) {
	for _, t := range targets {
		key := kube.GetResourceKey(t)
		if key.Group == e.Group && key.Kind == e.Kind && key.Name == e.Name &&
			(key.Namespace == e.Namespace || key.Namespace == "") {
			return key.Namespace, syncwaves.Wave(t)
		}
	}
	return e.Namespace, 0
}

// normalizeClusterScoped undoes the engine's habit of giving every target without a namespace
// the sync namespace (it does so "even though it might be a cluster-scoped resource").
func normalizeClusterScoped(targets []*unstructured.Unstructured, results []common.ResourceSyncResult) []common.ResourceSyncResult {
	clusterScoped := map[kube.ResourceKey]bool{}
	for _, t := range targets {
		if t.GetNamespace() == "" {
			clusterScoped[kube.GetResourceKey(t)] = true
		}
	}
	out := make([]common.ResourceSyncResult, 0, len(results))
	for _, r := range results {
		bare := r.ResourceKey
		bare.Namespace = ""
		if clusterScoped[bare] {
			r.ResourceKey = bare
		}
		out = append(out, r)
	}
	return out
}

func pendingMessage(resources []resourceReport) string {
	var pending []string
	for _, r := range resources {
		if r.HookPhase == string(common.OperationRunning) {
			pending = append(pending, fmt.Sprintf("%s %s/%s (wave %d): %s %s",
				r.Kind, r.Namespace, r.Name, r.Wave, r.Health, r.HealthMessage))
		}
	}
	sort.Strings(pending)
	return "waiting for: " + strings.Join(pending, "; ")
}

// recordingKubectl is the engine's own kubectl wrapper, with every real write recorded in order.
type recordingKubectl struct {
	kube.Kubectl
	lock   gosync.Mutex
	writes []applyEvent
}

func (k *recordingKubectl) ManageResources(config *rest.Config) (kube.ResourceOperations, func(), error) {
	ops, cleanup, err := k.Kubectl.ManageResources(config)
	if err != nil {
		return nil, nil, err
	}
	return &recordingOps{ResourceOperations: ops, record: k.record}, cleanup, nil
}

func (k *recordingKubectl) DeleteResource(ctx context.Context, config *rest.Config, gvk schema.GroupVersionKind, name, namespace string, opts metav1.DeleteOptions) error {
	err := k.Kubectl.DeleteResource(ctx, config, gvk, name, namespace, opts)
	if err == nil && len(opts.DryRun) == 0 {
		k.record("delete", gvk.Group, gvk.Kind, namespace, name, "deleted")
	}
	return err
}

func (k *recordingKubectl) record(verb, group, kind, namespace, name, message string) {
	k.lock.Lock()
	defer k.lock.Unlock()
	k.writes = append(k.writes, applyEvent{
		Seq: len(k.writes) + 1, Time: time.Now().UTC().Format(time.RFC3339Nano), Verb: verb,
		Group: group, Kind: kind, Namespace: namespace, Name: name, Message: strings.TrimSpace(message),
	})
}

func (k *recordingKubectl) events() []applyEvent {
	k.lock.Lock()
	defer k.lock.Unlock()
	return append([]applyEvent{}, k.writes...)
}

type recordingOps struct {
	kube.ResourceOperations
	record func(verb, group, kind, namespace, name, message string)
}

func (o *recordingOps) note(verb string, obj *unstructured.Unstructured, dryRun cmdutil.DryRunStrategy, message string, err error) {
	if err != nil || dryRun != cmdutil.DryRunNone {
		return
	}
	gvk := obj.GroupVersionKind()
	o.record(verb, gvk.Group, gvk.Kind, obj.GetNamespace(), obj.GetName(), message)
}

func (o *recordingOps) ApplyResource(ctx context.Context, obj *unstructured.Unstructured, dryRun cmdutil.DryRunStrategy, force, validate, serverSideApply bool, manager string) (string, error) {
	message, err := o.ResourceOperations.ApplyResource(ctx, obj, dryRun, force, validate, serverSideApply, manager)
	verb := "apply"
	if serverSideApply {
		verb = "server-side-apply"
	}
	o.note(verb, obj, dryRun, message, err)
	return message, err
}

func (o *recordingOps) ReplaceResource(ctx context.Context, obj *unstructured.Unstructured, dryRun cmdutil.DryRunStrategy, force bool) (string, error) {
	message, err := o.ResourceOperations.ReplaceResource(ctx, obj, dryRun, force)
	o.note("replace", obj, dryRun, message, err)
	return message, err
}

func (o *recordingOps) CreateResource(ctx context.Context, obj *unstructured.Unstructured, dryRun cmdutil.DryRunStrategy, validate bool) (string, error) {
	message, err := o.ResourceOperations.CreateResource(ctx, obj, dryRun, validate)
	o.note("create", obj, dryRun, message, err)
	return message, err
}

func (o *recordingOps) UpdateResource(ctx context.Context, obj *unstructured.Unstructured, dryRun cmdutil.DryRunStrategy) (*unstructured.Unstructured, error) {
	updated, err := o.ResourceOperations.UpdateResource(ctx, obj, dryRun)
	o.note("update", obj, dryRun, "updated", err)
	return updated, err
}
