package engine

import (
	"net/netip"
	"reflect"
)

func netipAddrPort(a netip.Addr, port uint16) netip.AddrPort {
	return netip.AddrPortFrom(a.Unmap(), port)
}

// addCounters adds every integer field of src to dst (both pointers to the
// same struct type), recursing into nested structs.
func addCounters(dst, src any) {
	addValue(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem())
}

func addValue(dst, src reflect.Value) {
	for i := range dst.NumField() {
		d, s := dst.Field(i), src.Field(i)
		if !d.CanSet() {
			continue
		}
		switch d.Kind() {
		case reflect.Uint64:
			d.SetUint(d.Uint() + s.Uint())
		case reflect.Int64, reflect.Int:
			d.SetInt(d.Int() + s.Int())
		case reflect.Struct:
			addValue(d, s)
		}
	}
}
