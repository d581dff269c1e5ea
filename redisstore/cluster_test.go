package redisstore

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/internal/redistest"
)

// startCluster starts a one-node Redis Cluster holding every slot and
// returns a client of it, so that the stores meet the cluster's rules
// (every key of a script or transaction in one slot). It skips when
// redis-server is absent, as redistest does.
func startCluster(t *testing.T) *redis.ClusterClient {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(redistest.RequireEnv) == "1" {
			t.Fatal("redis-server not found on PATH")
		}
		t.Skip("redis-server not found on PATH")
	}
	port := clusterPort(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
		"--cluster-config-file", dir+"/nodes.conf", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	node := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer func() { _ = node.Close() }()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	slotsAdded := false
	for {
		if !slotsAdded && node.Ping(ctx).Err() == nil {
			if err := node.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
				t.Fatal(err)
			}
			slotsAdded = true
		}
		if slotsAdded {
			if info, err := node.ClusterInfo(ctx).Result(); err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the one-node cluster did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr}, ContextTimeoutEnabled: true,
		DialTimeout: 200 * time.Millisecond, MaxRedirects: 1})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// clusterPort returns a free port whose cluster bus port (10000 above) is
// free too.
func clusterPort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if port+10000 > 65535 {
			continue
		}
		if bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000)); err == nil {
			_ = bus.Close()
			return port
		}
	}
	t.Fatal("no free port pair for a cluster node")
	return 0
}
