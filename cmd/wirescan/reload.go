package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// cmdReload asks a running wirescan to reload its rules (and reopen its EVE
// log) through its metrics listener, as SIGHUP does.
func cmdReload(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reload", flag.ContinueOnError)
	addr := fs.String("metrics", "127.0.0.1:9719", "`address` of the running wirescan's --metrics listener")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Post("http://"+*addr+"/-/reload", "text/plain", nil)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reload: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprint(stdout, string(body))
	return nil
}
