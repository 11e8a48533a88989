//go:build unix

package peer

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"padlock/lab/missing"
)

// PostgresServer is a PostgreSQL server from Debian's packages, started by
// a test in a temporary directory: its own cluster (initdb, trust
// authentication), listening on 127.0.0.1 only at a free port, its unix
// socket in the same directory. It is stopped and removed when the test
// ends.
type PostgresServer struct {
	// Port is the TCP port on 127.0.0.1.
	Port int
	// Dir holds the cluster (data/) and the socket.
	Dir string

	t      testing.TB
	bin    string
	asUser []string // command prefix that runs as the postgres user (root only)
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	dbs    int
}

// postgresBin finds the server binaries: $PATH, else the newest
// /usr/lib/postgresql/*/bin.
func postgresBin() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "pg_isready")); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// Postgres starts a PostgreSQL server for the test. Without the server
// binaries the test is skipped, or failed when $CI is "true". PostgreSQL
// refuses to run as root, so as root the cluster belongs to the postgres
// user and the server runs as it.
func Postgres(t testing.TB) *PostgresServer {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		missing.Peer(t, "PostgreSQL (initdb, postgres) is not installed")
	}
	dir, err := os.MkdirTemp("", "padlock-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := &PostgresServer{Dir: dir, t: t, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user to run PostgreSQL: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.asUser = []string{"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"}
	}
	out, err := p.command(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput()
	if err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.Port = FreePort(t)
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

func (p *PostgresServer) command(name string, args ...string) *exec.Cmd {
	if len(p.asUser) > 0 {
		return exec.Command(p.asUser[0], append(append(p.asUser[1:], name), args...)...)
	}
	return exec.Command(name, args...)
}

// Start starts the server (again, after Stop, on the same port and data)
// and waits until it accepts connections.
func (p *PostgresServer) Start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return
	}
	// fsync and full-page writes off: fast, and safe against what Stop
	// does (the server process dies; the machine's page cache survives).
	// synchronous_commit stays on: with it off, a commit is acknowledged
	// before its WAL leaves the server's memory, so Stop would lose
	// transactions padlock was told were committed (a saved assessment),
	// which no real deployment does.
	cmd := p.command(filepath.Join(p.bin, "postgres"), "-D", filepath.Join(p.Dir, "data"),
		"-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-k", p.Dir,
		"-c", "fsync=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=64MB")
	logf, err := os.Create(filepath.Join(p.Dir, "server.log"))
	if err != nil {
		p.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	setGroup(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		p.t.Fatalf("starting postgres: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exited) }()
	p.cmd, p.exited = cmd, exited
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
		if err == nil {
			c.Close()
			if out, err := exec.Command(filepath.Join(p.bin, "pg_isready"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres").CombinedOutput(); err == nil {
				return
			} else if time.Now().After(deadline) {
				p.t.Fatalf("pg_isready: %v %s", err, out)
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(p.Dir, "server.log"))
			p.t.Fatalf("postgres exited at start:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(p.Dir, "server.log"))
			p.t.Fatalf("postgres did not start within 30s:\n%s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the server at once (immediate shutdown: connections are cut,
// as when the database host goes away).
func (p *PostgresServer) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGQUIT) // immediate shutdown
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		killGroup(p.cmd.Process)
		<-p.exited
	}
	p.cmd = nil
}

// Addr is "127.0.0.1:PORT".
func (p *PostgresServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port)) }

// DSN is the URL of database db on the server, as user postgres.
func (p *PostgresServer) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", p.Addr(), db)
}

// NewDatabase creates an empty database and returns its URL.
func (p *PostgresServer) NewDatabase() string {
	p.t.Helper()
	p.mu.Lock()
	p.dbs++
	name := fmt.Sprintf("padlock_%d", p.dbs)
	p.mu.Unlock()
	out, err := p.command(filepath.Join(p.bin, "createdb"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres", name).CombinedOutput()
	if err != nil {
		p.t.Fatalf("createdb %s: %v\n%s", name, err, strings.TrimSpace(string(out)))
	}
	return p.DSN(name)
}
