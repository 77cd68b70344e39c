// Package container runs a device under test in a Docker container, for
// vendors who ship their OMP speaker as an image, and for the reference
// speaker itself (docker/Dockerfile, BuildReference).
//
// The container always runs with host networking: the harness and the DUT
// meet on loopback (127.0.0.0/8), no bridge network, no port mapping, no
// registry pull (an image is either local or built from a Dockerfile
// context). Start waits, within Spec.StartupTimeout, for the DUT's OMP
// port to accept a TCP connection, and fails at once, with the
// container's logs, if the DUT exits first.
//
//	dut, err := container.Start(ctx, container.Spec{
//		Image: "ompconform/reference:dev",
//		Args:  []string{"-config", "/etc/ompconform/reference.yaml"},
//		Files: []container.File{{Path: "/etc/ompconform/reference.yaml", Content: yaml}},
//		Port:  12346,
//	})
//	if errors.Is(err, container.ErrNoDocker) { ... }
//	defer dut.Stop(context.Background()) // SIGTERM, then removed
//	target := dut.Addr()                  // "127.0.0.1:12346"
//
// Docker is driven through testcontainers-go with its reaper (Ryuk)
// disabled, since the reaper image cannot be pulled without a registry and
// needs bridge networking: Stop removes the container, and every
// container carries the label LabelDUT, so leftovers of a killed run go
// with
//
//	docker rm -f $(docker ps -aq --filter label=org.ompconform.dut)
package container
