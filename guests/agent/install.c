/* The agent's systemd unit: see install.h. */
#include "guests/agent/install.h"

/* Restart=always with StartLimitIntervalSec=0: systemd never gives up
 * (its default stops after 5 starts in 10 s); an agent without its port
 * (virtio_console still loading) retries every 5 s. */
const char agent_unit_text[] =
	"# labinit's guest agent: `labctl run GUEST -- CMD` on the lab host runs CMD here,\n"
	"# over a virtio-serial port or UML's agent line, never over the network.\n"
	"# Install: cp labinit-agent " AGENT_INSTALL_PATH " && cp " AGENT_UNIT_NAME " /etc/systemd/system/\n"
	"#          systemctl enable --now " AGENT_UNIT_NAME "\n"
	"[Unit]\n"
	"Description=labinit guest agent (labctl run)\n"
	"StartLimitIntervalSec=0\n"
	"\n"
	"[Service]\n"
	"ExecStart=" AGENT_INSTALL_PATH " agent --wait 0\n"
	"Restart=always\n"
	"RestartSec=5\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";
