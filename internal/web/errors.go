package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
)

// statusOf is the one place that maps domain error codes to HTTP statuses.
func statusOf(err error) int {
	switch newstrace.ErrorCode(err) {
	case newstrace.ENOTFOUND:
		return http.StatusNotFound
	case newstrace.EINVALID:
		return http.StatusBadRequest
	case newstrace.ECONFLICT:
		return http.StatusConflict
	case newstrace.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case newstrace.EFORBIDDEN:
		return http.StatusForbidden
	case newstrace.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// publicMessage is what a user may read about err: the domain message, or a
// generic line for anything internal (the details go to the log only).
func (s *Server) publicMessage(r *http.Request, err error) (code, msg string) {
	code = newstrace.ErrorCode(err)
	if code == newstrace.EINTERNAL || statusOf(err) == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		return newstrace.EINTERNAL, "internal error"
	}
	return code, newstrace.ErrorMessage(err)
}

type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// apiError writes {"error": {"code", "message"}} with the mapped status.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	var body apiErrorBody
	body.Error.Code, body.Error.Message = s.publicMessage(r, err)
	s.writeJSON(w, r, statusOf(err), body)
}

func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.log.WarnContext(r.Context(), "write json", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
}

type errorView struct {
	Status  int
	Title   string
	Message string
}

// errorPage renders a friendly page for err with the mapped status.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	_, msg := s.publicMessage(r, err)
	// Store messages are written for logs ("story 9 not found"); start them
	// with a capital for the page.
	if r, size := utf8.DecodeRuneInString(msg); size > 0 {
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	v := errorView{Status: status, Title: http.StatusText(status), Message: msg}
	switch status {
	case http.StatusNotFound:
		v.Title = "Not found"
	case http.StatusInternalServerError:
		v.Title = "Something went wrong"
		v.Message = "The server could not finish this request. It has been logged; try again in a moment."
	}
	s.render(w, r, status, "error", v.Title, v)
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, newstrace.Errorf(newstrace.ENOTFOUND, "There is no page at %s.", r.URL.Path))
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v1")
	s.apiError(w, r, newstrace.Errorf(newstrace.ENOTFOUND, "no route %s %s", r.Method, path))
}
