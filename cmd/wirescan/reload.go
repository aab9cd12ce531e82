package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// cmdReload asks a running wirescan to reload its rules (and reopen its EVE
// log) through its metrics listener, as SIGHUP does.
func cmdReload(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reload", flag.ContinueOnError)
	addr := fs.String("metrics", "127.0.0.1:9719", "`address` of the running wirescan's --metrics listener")
	tokenFile := fs.String("token-file", "", "`file` holding the reload-api token (the running wirescan's reload-api.token-file)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+listenAddr(*addr)+"/-/reload", nil)
	if err != nil {
		return usagef("reload: --metrics %q: %v", *addr, err)
	}
	if *tokenFile != "" {
		tok, err := os.ReadFile(*tokenFile)
		if err != nil {
			return fmt.Errorf("reload: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Do(req)
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
