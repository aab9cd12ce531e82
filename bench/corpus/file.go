package corpus

import (
	"bufio"
	"os"
)

// WriteFile creates path and writes it with gen through a 1 MiB buffer,
// removing the file when gen or the write fails (the bench tools' outputs
// are never left half written).
func WriteFile(path string, gen func(w *bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = gen(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
