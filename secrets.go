package newstrace

import "context"

// SecretStore keeps secrets every process of one deployment must share,
// such as the key that signs session cookies: web processes behind a load
// balancer then accept each other's sessions. The PostgreSQL store
// implements it; the embedded default keeps its key in the data directory.
type SecretStore interface {
	// Secret returns the secret called name, storing gen's value first when
	// there is none. Of concurrent first calls one value wins and every
	// caller gets it.
	Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)
}
