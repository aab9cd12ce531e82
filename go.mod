module github.com/wirescan/wirescan

go 1.26
