package pcapgen

import (
	"bytes"
	"testing"
)

func TestSyntheticMix(t *testing.T) {
	const total = 3 << 20
	var a, b bytes.Buffer
	if err := SyntheticMix(&a, total, 42); err != nil {
		t.Fatal(err)
	}
	if err := SyntheticMix(&b, total, 42); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with the same seed differ")
	}
	p := parseCapture(t, a.Bytes())
	var payload int
	http, smb := 0, 0
	for _, k := range p.order {
		st := p.streams[k]
		data, missing := st.reassemble()
		if missing != 0 || st.conflict != nil {
			t.Fatalf("%v: %d bytes missing, conflict %v", k, missing, st.conflict)
		}
		payload += len(data)
		switch {
		case bytes.HasPrefix(data, []byte("GET ")):
			http++
		case len(data) > 8 && string(data[4:8]) == "\xfeSMB":
			smb++
		}
		if bytes.Contains(data, []byte(EICAR)) {
			t.Fatalf("%v carries EICAR", k)
		}
	}
	if payload < total {
		t.Errorf("payload %d bytes, want at least %d", payload, total)
	}
	if http == 0 || smb == 0 {
		t.Errorf("connections: %d HTTP, %d SMB2; want both", http, smb)
	}
}
