package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/ingest"
	"github.com/newstrace/newstrace/internal/metrics"
	"github.com/newstrace/newstrace/internal/sqlite"
	"github.com/newstrace/newstrace/internal/story"
	"github.com/newstrace/newstrace/internal/story/embed"
)

// toyConcepts is the vocabulary of a deterministic bilingual "model": each
// English or French word names a concept, and a text's vector counts its
// concepts (other words are ignored), normalised. A text and its
// translation share their concepts and so their direction; texts on other
// subjects share almost none.
var toyConcepts = map[string][]string{
	"bridge": {"bridge", "pont"}, "harbour": {"harbour", "portuaire"}, "reopen": {"reopened", "reopens", "rouvert", "rouvre"},
	"traffic": {"traffic", "circulation"}, "monday": {"monday", "lundi"}, "month": {"months", "mois"},
	"repair": {"repairs", "réparations", "travaux"}, "cost": {"cost", "coûté"}, "million": {"million", "millions"},
	"dollar": {"dollars"}, "transport": {"transport", "transports"}, "department": {"department", "département"},
	"engineer": {"engineers", "ingénieurs"}, "replace": {"replaced", "remplacé"}, "cable": {"cables", "câbles"},
	"suspension": {"suspension"}, "deck": {"deck", "tablier"}, "delay": {"delayed", "retardés"},
	"typhoon": {"typhoons", "typhons"}, "steel": {"steel", "acier"}, "shortage": {"shortage", "pénurie"},
	"secretary": {"secretary", "secrétaire"}, "ribbon": {"ribbon", "ruban"}, "dawn": {"dawn", "aube"},
	"bus": {"buses", "bus"}, "island": {"island", "île"}, "commuter": {"commuters", "usagers"},
	"detour": {"detours", "détours"}, "ferry": {"ferry"}, "night": {"night", "nuit"},
	"passenger": {"passengers", "passagers"}, "inspect": {"inspected", "inspecté"}, "sensor": {"sensors", "capteurs"},
	"kowloon": {"kowloon"}, "lantau": {"lantau"}, "tsing": {"tsing"},
	"vaccine": {"vaccine", "vaccin"}, "malaria": {"malaria", "paludisme"}, "trial": {"trial", "essai"},
	"dose": {"doses"}, "infection": {"infections"}, "child": {"children", "enfants"},
	"researcher": {"researchers", "chercheurs"}, "season": {"seasons", "saisons"}, "rain": {"rainy", "pluies"},
	"protection": {"protection"}, "booster": {"booster", "rappel"}, "regulator": {"regulators", "régulation"},
	"country": {"countries", "pays"}, "approval": {"approval", "autorisation"}, "result": {"results", "résultats"},
	"year": {"year", "année"},
}

// toyVector embeds text with toyConcepts.
func toyVector(text string) []float32 {
	dim := map[string]int{}
	names := make([]string, 0, len(toyConcepts))
	for c := range toyConcepts {
		names = append(names, c)
	}
	slices.Sort(names)
	for i, c := range names {
		for _, w := range toyConcepts[c] {
			dim[w] = i
		}
	}
	vec := make([]float32, len(names))
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if i, ok := dim[w]; ok {
			vec[i]++
		}
	}
	var n float64
	for _, x := range vec {
		n += float64(x) * float64(x)
	}
	for i := range vec {
		if n > 0 {
			vec[i] /= float32(math.Sqrt(n))
		}
	}
	return vec
}

// toyServer speaks the OpenAI embeddings API with toyVector, or fails
// with 500 while down is set. requests counts the texts it was sent.
type toyServer struct {
	*httptest.Server
	down     atomic.Bool
	requests atomic.Int32
}

func newToyServer(t *testing.T) *toyServer {
	t.Helper()
	s := &toyServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		if s.down.Load() {
			http.Error(w, `{"error":{"message":"model not loaded"}}`, http.StatusInternalServerError)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "toy-bilingual" {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		out := struct {
			Object string `json:"object"`
			Model  string `json:"model"`
			Data   []item `json:"data"`
		}{Object: "list", Model: req.Model}
		for i, in := range req.Input {
			s.requests.Add(1)
			out.Data = append(out.Data, item{Object: "embedding", Index: i, Embedding: toyVector(in)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(s.Close)
	return s
}

// newEmbedPipeline is newTestPipeline with the embeddings endpoint at
// baseURL ("" for none).
func newEmbedPipeline(t *testing.T, baseURL string) (*Pipeline, *sqlite.DB) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "nt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := Config{Store: db, Fetch: fetch.New(fetch.Config{AllowPrivate: true}),
		Now: func() time.Time { return time.Date(2024, 3, 18, 12, 0, 0, 0, time.UTC) }}
	if baseURL != "" {
		cfg.Embedder = &embed.Client{BaseURL: baseURL, Model: "toy-bilingual", HTTP: &http.Client{Timeout: 5 * time.Second}}
		cfg.EmbedModel = "toy-bilingual"
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, db
}

// frPage is page() declaring French.
func frPage(site, canonical, title, date string, paras ...string) []byte {
	return bytes.Replace(page(site, canonical, title, date, paras...), []byte(`lang="en"`), []byte(`lang="fr"`), 1)
}

// translationItems: an English original, an unrelated French article and,
// later, a French translation of the original that credits nobody and
// shares only names and numbers with it.
func translationItems() []ingest.Item {
	day := time.Date(2024, 3, 18, 9, 0, 0, 0, time.UTC)
	mk := func(name string, data []byte, seen time.Time) ingest.Item {
		return ingest.Item{Path: name + ".html", Data: data, ModTime: seen, ContentType: "text/html"}
	}
	return []ingest.Item{
		mk("original", page("Harbour Times", "https://harbourtimes.example/bridge", "Tsing Ma bridge reopens after repairs",
			"2024-03-18T08:00:00Z", bridgeParas...), day),
		mk("unrelated", frPage("Santé Hebdo", "https://santehebdo.example/paludisme", "Un vaccin contre le paludisme donne ses premiers résultats",
			"2024-03-18T10:00:00Z",
			"Un essai de vaccin contre le paludisme mené dans le nord du Ghana a montré que trois doses réduisaient de plus de moitié les infections graves chez les jeunes enfants.",
			"Les chercheurs ont suivi 4 800 enfants pendant deux saisons des pluies et constaté que la protection diminuait lentement, si bien qu'un rappel pourrait être nécessaire au bout d'une année.",
			"Les promoteurs de l'essai ont indiqué qu'ils demanderaient l'autorisation des autorités de régulation de cinq pays avant la fin de l'année."), day.Add(time.Hour)),
		mk("translation", frPage("Le Courrier de Kowloon", "https://courrier.example/pont-tsing-ma", "Le pont de Tsing Ma rouvre après des réparations",
			"2024-03-18T13:00:00Z",
			"Le pont portuaire de Tsing Ma, à Kowloon, a rouvert à la circulation lundi après dix-huit mois de travaux de réparation qui ont coûté 412 millions de dollars, a indiqué le département des transports.",
			"Les ingénieurs de Lantau Structural ont remplacé les 96 câbles de suspension et refait le tablier supérieur, des travaux retardés à deux reprises par des typhons et une pénurie d'acier.",
			"La secrétaire aux transports Miriam Okafor-Leung a coupé un ruban du côté de Kowloon peu après l'aube, au moment où les premiers bus traversaient vers l'île de Lantau.",
			"Les usagers ont subi des détours allant jusqu'à quarante minutes pendant la fermeture, et les compagnies de ferry ont ajouté des traversées de nuit pour faire face aux passagers supplémentaires.",
			"Le département a précisé que le pont serait désormais inspecté tous les six mois grâce à des capteurs installés sur chacun des nouveaux câbles, au lieu d'une fois par an à la main."), day.Add(5*time.Hour)),
	}
}

// ingestAll stores the items and returns their document ids by name.
func ingestAll(t *testing.T, p *Pipeline, db newstrace.Store, items []ingest.Item) map[string]int64 {
	t.Helper()
	ctx := t.Context()
	for _, it := range items {
		if _, err := p.Ingest(ctx, it); err != nil {
			t.Fatalf("Ingest %s: %v", it.Path, err)
		}
	}
	all, err := db.Documents(ctx, newstrace.DocumentFilter{Limit: 10})
	if err != nil || len(all) != len(items) {
		t.Fatalf("Documents = %d, %v; want %d", len(all), err, len(items))
	}
	ids := map[string]int64{}
	for _, d := range all {
		ids[strings.TrimSuffix(d.Path, ".html")] = d.ID
	}
	return ids
}

// storiesByDoc maps each document to its story.
func storiesByDoc(t *testing.T, db newstrace.Store) (map[int64]newstrace.Story, int) {
	t.Helper()
	stories, err := db.Stories(t.Context(), newstrace.StoryFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]newstrace.Story{}
	for _, s := range stories {
		for _, d := range s.Documents {
			out[d.ID] = s
		}
	}
	return out, len(stories)
}

// TestMatchTranslationByEmbedding: with the embeddings endpoint, the
// French translation joins the English original's story as a translation
// (the original the root) and the unrelated French article stays alone;
// without it, the translation stays a story of its own, since nothing in
// its text credits the original.
func TestMatchTranslationByEmbedding(t *testing.T) {
	items := translationItems()
	orig, unrel, transl := toyVector(string(items[0].Data)), toyVector(string(items[1].Data)), toyVector(string(items[2].Data))
	if c := story.EmbeddingCosine(orig, transl); c < story.EmbedCosine {
		t.Fatalf("toy model: cosine original/translation %.2f, want ≥ %.2f", c, story.EmbedCosine)
	}
	if c := story.EmbeddingCosine(orig, unrel); c > 0.3 {
		t.Fatalf("toy model: cosine original/unrelated %.2f, want low", c)
	}

	t.Run("with embeddings", func(t *testing.T) {
		srv := newToyServer(t)
		p, db := newEmbedPipeline(t, srv.URL)
		ids := ingestAll(t, p, db, items)
		byDoc, n := storiesByDoc(t, db)
		if n != 2 {
			t.Fatalf("%d stories, want 2", n)
		}
		s := byDoc[ids["original"]]
		if got, want := storyDocs(s), sortedIDs(ids["original"], ids["translation"]); !slices.Equal(got, want) {
			t.Errorf("story of the original holds %v, want %v", got, want)
		}
		if got := storyDocs(byDoc[ids["unrelated"]]); !slices.Equal(got, []int64{ids["unrelated"]}) {
			t.Errorf("story of the unrelated article holds %v, want only it", got)
		}
		if s.RootDocumentID != ids["original"] {
			t.Errorf("root %d, want the original %d", s.RootDocumentID, ids["original"])
		}
		var edge *newstrace.Edge
		for i, e := range s.Edges {
			if e.FromID == ids["original"] && e.ToID == ids["translation"] && e.Kind == newstrace.EdgeTranslation {
				edge = &s.Edges[i]
			}
		}
		if edge == nil || !strings.Contains(edge.Evidence, "embedding cosine") || !strings.Contains(edge.Evidence, "en → fr") {
			t.Fatalf("want a translation edge original → translation with the cosine as evidence; edges %+v", s.Edges)
		}
		t.Logf("edge: %s, confidence %.2f", edge.Evidence, edge.Confidence)
		if got := srv.requests.Load(); got != 3 {
			t.Errorf("%d texts embedded, want 3", got)
		}

		// Matching again (rematch, a re-sighting) reuses the stored vectors.
		for _, id := range ids {
			if _, err := p.Rematch(t.Context(), id); err != nil {
				t.Fatalf("Rematch(%d): %v", id, err)
			}
		}
		if got := srv.requests.Load(); got != 3 {
			t.Errorf("after rematch: %d texts embedded, want still 3", got)
		}
		if again, n := storiesByDoc(t, db); n != 2 || again[ids["translation"]].ID != s.ID || again[ids["translation"]].RootDocumentID != ids["original"] {
			t.Errorf("after rematch: %d stories, translation in story %d (root %d); want 2, story %d (root %d)",
				n, again[ids["translation"]].ID, again[ids["translation"]].RootDocumentID, s.ID, ids["original"])
		}
	})

	t.Run("without embeddings", func(t *testing.T) {
		p, db := newEmbedPipeline(t, "")
		ids := ingestAll(t, p, db, items)
		byDoc, n := storiesByDoc(t, db)
		if n != 3 {
			t.Errorf("%d stories, want 3", n)
		}
		if byDoc[ids["translation"]].ID == byDoc[ids["original"]].ID {
			t.Errorf("the translation joined the original's story without embeddings")
		}
	})
}

// TestMatchEmbeddingsDown: an endpoint that fails (500, or nothing
// listening) costs no document: each is stored and matched without a
// vector, counted as an embedding error, and the processing succeeds. A
// later rematch, with the endpoint back, links the translation.
func TestMatchEmbeddingsDown(t *testing.T) {
	tests := []struct {
		name   string
		closed bool // nothing listening, else 500
	}{
		{"server error", false},
		{"connection refused", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newToyServer(t)
			srv.down.Store(true)
			p, db := newEmbedPipeline(t, srv.URL)
			if tt.closed {
				srv.Close()
			}
			errors0 := metrics.Embeddings.Value("error")
			ids := ingestAll(t, p, db, translationItems()) // fails the test on any error
			if got := metrics.Embeddings.Value("error") - errors0; got != 3 {
				t.Errorf("embedding errors counted: %d, want 3", got)
			}
			if _, n := storiesByDoc(t, db); n != 3 {
				t.Errorf("%d stories, want 3 (no embeddings: no translation link)", n)
			}
			for name, id := range ids {
				if _, _, err := db.Embedding(t.Context(), id); !newstrace.IsNotFound(err) {
					t.Errorf("%s: embedding stored (%v) though the endpoint failed", name, err)
				}
			}
			if tt.closed {
				return
			}
			srv.down.Store(false)
			res, err := p.Rematch(t.Context(), ids["translation"])
			if err != nil || !res.Embedded {
				t.Fatalf("Rematch with the endpoint back: %+v, %v; want the document embedded", res, err)
			}
			// The original was never embedded: its rematch embeds it and finds the translation.
			if res, err = p.Rematch(t.Context(), ids["original"]); err != nil || res.Related != 1 {
				t.Fatalf("Rematch of the original: %+v, %v; want it related to its translation", res, err)
			}
			if byDoc, n := storiesByDoc(t, db); n != 2 || byDoc[ids["translation"]].ID != byDoc[ids["original"]].ID {
				t.Errorf("after the endpoint came back: %d stories, want the translation with the original", n)
			}
		})
	}
}
