// Package deps pins the module's third-party dependencies while the packages that
// use them are being written. It is removed once every dependency has a real user.
package deps

import (
	_ "github.com/cloudflare/ahocorasick"
	_ "github.com/gopacket/gopacket"
	_ "github.com/gopacket/gopacket/afpacket"
	_ "github.com/gopacket/gopacket/layers"
	_ "github.com/gopacket/gopacket/pcapgo"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/prometheus/client_golang/prometheus/testutil"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/sys/unix"
)
