package signatures

import (
	"strings"
	"testing"
)

func TestFilestoreOptions(t *testing.T) {
	tests := []struct {
		opt     string
		want    StoreSpec
		wantErr string
	}{
		{opt: "filestore", want: StoreSpec{}},
		{opt: "filestore:to_server", want: StoreSpec{ToServer: true}},
		{opt: "filestore:request,tx", want: StoreSpec{ToServer: true, Scope: StoreTx}},
		{opt: "filestore:response,file", want: StoreSpec{ToClient: true}},
		{opt: "filestore:to_client,flow", want: StoreSpec{ToClient: true, Scope: StoreFlow}},
		{opt: "filestore: both , ssn", want: StoreSpec{ToServer: true, ToClient: true, Scope: StoreFlow}},
		{opt: "filestore:sideways", wantErr: `filestore direction "sideways"`},
		{opt: "filestore:both,forever", wantErr: `filestore scope "forever"`},
		{opt: "filestore:both,tx,more", wantErr: "want filestore[:direction[,scope]]"},
	}
	for _, tt := range tests {
		t.Run(tt.opt, func(t *testing.T) {
			r, err := ParseRule(`alert http any any -> any any (http.uri; content:"/x"; ` + tt.opt + `; sid:1;)`)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !r.Filestore || r.Store != tt.want {
				t.Fatalf("Filestore %v Store %+v, want %+v", r.Filestore, r.Store, tt.want)
			}
			if r.kind != kindFile {
				t.Fatalf("a filestore rule is a file rule (Suricata: a file match); kind %d", r.kind)
			}
		})
	}
}

func TestStoreSpecDirs(t *testing.T) {
	for _, tt := range []struct {
		spec           StoreSpec
		toServer       bool
		server, client bool
	}{
		{StoreSpec{}, true, true, false},
		{StoreSpec{}, false, false, true},
		{StoreSpec{ToServer: true}, false, true, false},
		{StoreSpec{ToServer: true, ToClient: true}, true, true, true},
	} {
		if s, c := tt.spec.Dirs(tt.toServer); s != tt.server || c != tt.client {
			t.Errorf("%+v.Dirs(%v) = %v,%v want %v,%v", tt.spec, tt.toServer, s, c, tt.server, tt.client)
		}
	}
}

// TestRawContentWithFileKeywordIsMixed: raw content next to a file keyword
// (fileext, filestore, file.name) is the rule's stream part, never dropped:
// a rule whose raw content is absent from the stream does not match.
func TestRawContentWithFileKeywordIsMixed(t *testing.T) {
	for _, line := range []string{
		`alert http any any -> any any (content:"NOT-IN-STREAM"; fileext:"exe"; sid:1;)`,
		`alert http any any -> any any (content:"NOT-IN-STREAM"; filestore; sid:1;)`,
		`alert http any any -> any any (content:"NOT-IN-STREAM"; file.name; content:"a.exe"; sid:1;)`,
	} {
		r, err := ParseRule(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if r.kind != kindFile || r.mix == nil || len(r.mix.data) != 1 {
			t.Fatalf("%s: kind %d, mix %v: the raw content must be the stream part", line, r.kind, r.mix)
		}
	}
}
