// Command recoup runs the recoup collections platform; see `recoup --help`.
package main

import (
	"os"

	_ "time/tzdata" // IANA zones even in a scratch container

	"github.com/recoup/recoup/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
